using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// hs_ntor bodies (FZ-05). First byte: 0 the host's service given INTRODUCE2's header and encrypted section (the second
/// byte says how many of the following bytes are the header), and a reply when it opens; 1 a client given
/// RENDEZVOUS2's handshake info. The client's ephemeral key is fixed so that seed replies stay valid.
/// </summary>
internal sealed class HsNtorHarness : Harness
{
    private static readonly HsIntroEncryptionKey s_encryptionKey = HsIntroEncryptionKey.FromSeed(FixedKeys.Seed(3, 1));
    private static readonly HiddenPointIdentityKey s_auth = HiddenPointIdentityKey.FromSeed(FixedKeys.Seed(3, 2));
    private static readonly HsIntroAuthKey s_authKey = new(s_auth.PublicKey);
    private static readonly Subcredential s_subcredential = new(FixedKeys.Seed(3, 3));
    private static readonly byte[] s_clientSecret = FixedKeys.Seed(3, 4);
    private static readonly HsNtorService s_service = new(HsNtorLabels.Hpc, s_encryptionKey, s_authKey, s_subcredential);

    public override string Name => "hs-ntor";

    public override string Description => "hs_ntor: service given INTRODUCE2's encrypted section, client given RENDEZVOUS2's handshake info (first byte picks)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        if ((input[0] & 1) == 0)
        {
            var rest = input[1..];
            if (rest.IsEmpty)
            {
                return;
            }

            var headerLength = Math.Min(rest[0], rest.Length - 1);
            var header = rest.Slice(1, headerLength);
            var section = rest[(1 + headerLength)..];
            if (s_service.TryOpenIntroduce(header, section, out var introduction, out _))
            {
                using (introduction)
                {
                    var info = new byte[HsNtorIntroduction.HandshakeInfoLength];
                    using var keys = introduction.Respond(info);
                }
            }

            return;
        }

        using var client = StartClient();
        if (client.TryFinish(input[1..], out var keyStream, out _))
        {
            keyStream.Dispose();
        }
    }

    private static HsNtorClient StartClient() =>
        HsNtorClient.TryStartWithFixedEphemeralKeyForTestsOnly(
            HsNtorLabels.Hpc, s_authKey, s_encryptionKey.Public, s_subcredential, s_clientSecret, out var client, out var error)
            ? client
            : throw new InvalidOperationException(error.ToString());

    public override IEnumerable<byte[]> Seeds()
    {
        byte[] header = [.. Samples.Bytes(32, 0x40)];
        byte[] plaintext = [.. Samples.Bytes(40, 0x70)];
        var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintext.Length)];
        using (var client = StartClient())
        {
            client.SealIntroduce(header, plaintext, section);
        }

        yield return [0, (byte)header.Length, .. header, .. section];
        if (s_service.TryOpenIntroduce(header, section, out var introduction, out _))
        {
            using (introduction)
            {
                var info = new byte[HsNtorIntroduction.HandshakeInfoLength];
                using (introduction.Respond(info))
                {
                }

                yield return [1, .. info];
            }
        }

        yield return [0, 0];
        yield return [1, .. new byte[64]];
    }
}
