using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// The originator's side of a hop's ntor v3 handshake (CREATE2 or EXTEND2): it asks for CGO version 1
/// (<see cref="CgoExtension"/>), and on the reply checks that the relay agreed, then reads the hop's CGO layer and its
/// binding key KH from the key stream (<see cref="CircuitKeySchedule"/>). One use; dispose it in every case.
/// </summary>
internal sealed class HopHandshake : IDisposable
{
    private readonly NtorV3Client _client;

    private HopHandshake(NtorV3Client client, byte[] message)
    {
        _client = client;
        Message = message;
    }

    /// <summary>The handshake data to send in CREATE2 or EXTEND2.</summary>
    public byte[] Message { get; }

    /// <summary>Starts a handshake with <paramref name="relay"/> under the network's labels.</summary>
    public static HopHandshake Start(RelayStatus relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var message = new byte[NtorV3Client.GetClientHandshakeLength(CgoExtension.Request.EncodedLength)];
        if (!NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, relay.Id, relay.CircuitHandshakeKey, CgoExtension.Request, message, out var client, out var error))
        {
            // Only a relay key that is no curve point gets here: the consensus listed a key no relay can hold.
            throw new CryptographicException($"The relay's circuit-handshake key is unusable ({error}).");
        }

        return new HopHandshake(client, message);
    }

    /// <summary>
    /// Checks the relay's reply. True with the hop's CGO layer (the caller owns it) and KH in
    /// <paramref name="bindingKey"/>; false when the reply does not verify or the relay did not agree to CGO.
    /// </summary>
    public bool TryFinish(ReadOnlySpan<byte> reply, [NotNullWhen(true)] out CgoClientHop? hop, Span<byte> bindingKey)
    {
        hop = null;
        if (!_client.TryFinish(reply, out var keyStream, out var serverMessage, out _))
        {
            return false;
        }

        using (keyStream)
        {
            if (CgoExtension.TryRead(serverMessage, out _) != CgoExtensionError.None)
            {
                return false;
            }

            hop = CircuitKeySchedule.ReadClientHop(keyStream);
            CircuitKeySchedule.ReadBindingKey(keyStream, bindingKey);
            return true;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
