using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Testing;

/// <summary>
/// One-hop circuits for tests of links and circuits below the relay engine: CREATE2 carries the CGO key material in the
/// clear, standing in for ntor v3 (which is not the link layer's business), and an <see cref="AcceptingRelay"/> takes it.
/// </summary>
public static class KeyMaterialCircuits
{
    /// <summary>Fresh CGO key material for one hop (AES-128).</summary>
    public static byte[] NewKeyMaterial() => RandomNumberGenerator.GetBytes(CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128));

    /// <summary>
    /// Sends CREATE2 with fresh key material, followed by <paramref name="extra"/> when given, and waits for CREATED2;
    /// throws when the circuit is refused.
    /// </summary>
    public static async Task<(PendingCircuit Pending, byte[] KeyMaterial)> CreateAsync(Link link, ReadOnlyMemory<byte> extra = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        var keyMaterial = NewKeyMaterial();
        if (!link.TryBeginCircuit(out var pending))
        {
            throw new InvalidOperationException("The link has no circuit id to give.");
        }

        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, [.. keyMaterial, .. extra.Span]).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        if (!await link.SendAsync(create).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The link did not take the CREATE2.");
        }

        var response = await pending.Response.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        if (response.Failure != CircuitCloseReason.None)
        {
            throw new InvalidOperationException($"The circuit was refused: {response.Failure}.");
        }

        link.Pool.Return(response.Created2);
        return (pending, keyMaterial);
    }

    /// <summary>
    /// Opens a one-hop circuit from <paramref name="clientLink"/> to the relay whose link handler is
    /// <paramref name="relay"/>; returns both ends.
    /// </summary>
    internal static async Task<(ClientCircuitReactor Client, RelayCircuit Relay)> OpenCircuitAsync(Link clientLink, AcceptingRelay relay, ICircuitHandler clientHandler)
    {
        ArgumentNullException.ThrowIfNull(clientLink);
        ArgumentNullException.ThrowIfNull(relay);
        var (pending, keyMaterial) = await CreateAsync(clientLink).ConfigureAwait(false);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        var client = clientLink.OpenClientCircuit(pending, crypto, clientHandler)
            ?? throw new InvalidOperationException("The link closed before the circuit opened.");
        var relayCircuit = await relay.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        return (client, relayCircuit);
    }

    /// <summary>
    /// Extends <paramref name="client"/>'s circuit past <paramref name="atRelay"/>, as the relay program does on EXTEND2
    /// but without the handshake: CREATE2 on <paramref name="outward"/> (a link from that relay to the one whose link
    /// handler is <paramref name="next"/>), the relay circuit attached to it, and the client's new hop; returns the
    /// next relay's end.
    /// </summary>
    internal static async Task<RelayCircuit> ExtendAsync(ClientCircuitReactor client, RelayCircuit atRelay, Link outward, AcceptingRelay next)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(atRelay);
        ArgumentNullException.ThrowIfNull(next);
        var (pending, keyMaterial) = await CreateAsync(outward).ConfigureAwait(false);
        if (!atRelay.AttachOutward(pending))
        {
            throw new InvalidOperationException("The relay circuit did not take its outward half.");
        }

        if (!client.AddHop(new CgoClientHop(keyMaterial)))
        {
            throw new InvalidOperationException("The client circuit did not take the new hop.");
        }

        return await next.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
    }
}
