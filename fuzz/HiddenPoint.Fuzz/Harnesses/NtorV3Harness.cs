using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// ntor v3 bodies (FZ-05). First byte: 0 a relay's server given a client handshake (then its extension list and a
/// reply when accepted); 1 a client given a relay's reply; 2 an ntor v3 extension list on its own (round-tripped).
/// The client's ephemeral key is fixed (the crypto library's test-only entry point) so that the seed replies made by
/// <see cref="Seeds"/> stay valid for the harness.
/// </summary>
internal sealed class NtorV3Harness : Harness
{
    private static readonly RelayIdentityKey s_identity = RelayIdentityKey.FromSeed(FixedKeys.Seed(2, 1));
    private static readonly CircuitHandshakeKey s_onionKey = CircuitHandshakeKey.FromSeed(FixedKeys.Seed(2, 2));
    private static readonly byte[] s_clientSecret = FixedKeys.Seed(2, 3);
    private static readonly byte[] s_serverSecret = FixedKeys.Seed(2, 4);
    private static readonly NtorV3Server s_server = new(NtorV3Labels.Hpc, s_identity.Id, s_onionKey);

    public override string Name => "ntor-v3";

    public override string Description => "ntor v3: server given a client handshake, client given a server reply, extension lists (first byte picks)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var data = input[1..];
        switch (input[0] % 3)
        {
            case 0:
                Serve(data);
                break;
            case 1:
                using (var client = StartClient([1, 0], out _))
                {
                    if (client.TryFinish(data, out var keys, out _, out _))
                    {
                        keys.Dispose();
                    }
                }

                break;
            default:
                if (NtorV3ExtensionList.TryParse(data, out var list, out _))
                {
                    var encoded = list.ToArray();
                    CheckAccepted(NtorV3ExtensionList.TryParse(encoded, out var again, out _), "ntor v3 extensions");
                    CheckSame(encoded, again.ToArray(), "ntor v3 extensions");
                }

                break;
        }
    }

    private static void Serve(ReadOnlySpan<byte> clientHandshake)
    {
        if (!s_server.TryAccept(clientHandshake, out var request, out _))
        {
            return;
        }

        _ = request.TryGetClientExtensions(out _, out _);
        var reply = new byte[NtorV3ServerRequest.GetServerHandshakeLength(0)];
        using var keys = request.Respond([], reply);
    }

    private static NtorV3Client StartClient(ReadOnlySpan<byte> clientMessage, out byte[] clientHandshake)
    {
        clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(clientMessage.Length)];
        return NtorV3Client.StartWithFixedEphemeralKeyForTestsOnly(
            NtorV3Labels.Hpc, s_identity.Id, s_onionKey.Public, clientMessage, clientHandshake, s_clientSecret);
    }

    public override IEnumerable<byte[]> Seeds()
    {
        byte[] clientHandshake;
        using (StartClient([1, 0], out clientHandshake))
        {
        }

        yield return [0, .. clientHandshake];
        Assume(s_server.TryAccept(clientHandshake, out var request, out _));
        var reply = new byte[NtorV3ServerRequest.GetServerHandshakeLength(3)];
        using (request.RespondWithFixedEphemeralKeyForTestsOnly([1, 2, 3], reply, s_serverSecret))
        {
        }

        yield return [1, .. reply];
        yield return [2, .. new NtorV3ExtensionList(new NtorV3Extension(1, [0]), new NtorV3Extension(2, [1, 2])).ToArray()];
        yield return [2, 0];
        yield return [0];
        yield return [1, .. new byte[64]];
    }

    private static void Assume(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The seed handshake did not complete.");
        }
    }
}
