using System.Security.Cryptography;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Client.Connecting;

/// <summary>
/// The client's half of hs_ntor around a rendezvous: INTRODUCE1 for one introduction point (the introduce plaintext
/// naming the rendezvous point and its cookie, encrypted and MACed by <see cref="HsNtorClient"/>), and the end-to-end
/// hop from the host's RENDEZVOUS2.
/// </summary>
internal static class IntroduceRequest
{
    /// <summary>
    /// Every introduce plaintext is zero-padded to this many bytes (more only if its link specifiers need it), so that
    /// introductions through one introduction point look alike whichever rendezvous point they name.
    /// </summary>
    public const int PaddedPlaintextLength = 246;

    /// <summary>INTRODUCE1 for the introduction point of <paramref name="authKey"/>, sealed with <paramref name="handshake"/>.</summary>
    public static Introduce1Message Create(HsNtorClient handshake, HsIntroAuthKey authKey, ReadOnlySpan<byte> cookie, RelayStatus rendezvousPoint)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        ArgumentNullException.ThrowIfNull(rendezvousPoint);
        var plaintext = new IntroducePlaintext(cookie, null, rendezvousPoint.CircuitHandshakeKey.Key.Bytes, RelayLinkSpecifiers.Of(rendezvousPoint));
        var padded = new byte[Math.Max(plaintext.UnpaddedLength, PaddedPlaintextLength)];
        plaintext.Encode(padded);
        var sectionLength = HsNtorClient.GetEncryptedSectionLength(padded.Length);

        // The MAC covers H, everything before the encrypted section. H does not depend on the section's bytes, only on
        // its length, so it is read off the message encoded with a zero section of that length.
        var placeholder = new Introduce1Message(
            authKey.Key.Bytes, null, new byte[HiddenPointWire.X25519KeyLength], new byte[padded.Length], new byte[HiddenPointWire.MacLength]);
        var data = placeholder.EncodeData();
        var section = new byte[sectionLength];
        handshake.SealIntroduce(data.AsSpan(0, data.Length - sectionLength), padded, section);
        CryptographicOperations.ZeroMemory(padded);
        return new Introduce1Message(
            authKey.Key.Bytes,
            null,
            section.AsSpan(0, HiddenPointWire.X25519KeyLength),
            section.AsSpan(HiddenPointWire.X25519KeyLength, padded.Length),
            section.AsSpan(HiddenPointWire.X25519KeyLength + padded.Length));
    }

    /// <summary>
    /// The end-to-end hop from RENDEZVOUS2's data (the host's Y and AUTH), or null when it is malformed or its AUTH does
    /// not verify (the circuit is then closed by <c>ClientCircuit.AwaitRendezvousAsync</c>). On success
    /// <paramref name="channelBinding"/> holds the connection's channel binding (<see cref="CircuitKeySchedule.ReadChannelBinding"/>).
    /// </summary>
    public static CgoClientHop? Finish(HsNtorClient handshake, ReadOnlySpan<byte> rendezvous2, Span<byte> channelBinding)
    {
        var reader = new WireReader(rendezvous2);
        if (!Rendezvous2Message.TryDecode(ref reader, out var message, out _))
        {
            return null;
        }

        Span<byte> handshakeInfo = stackalloc byte[HsNtorClient.HandshakeInfoLength];
        message.ServerPublicKey.CopyTo(handshakeInfo);
        message.Auth.CopyTo(handshakeInfo[HiddenPointWire.X25519KeyLength..]);
        if (!handshake.TryFinish(handshakeInfo, out var keyStream, out _))
        {
            return null;
        }

        using (keyStream)
        {
            var hop = CircuitKeySchedule.ReadClientHop(keyStream);
            CircuitKeySchedule.ReadChannelBinding(keyStream, channelBinding);
            return hop;
        }
    }
}
