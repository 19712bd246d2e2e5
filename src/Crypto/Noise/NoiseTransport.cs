using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// What a completed handshake leaves: one cipher state per direction, the handshake hash for channel binding, and
/// the peer's static key when the pattern revealed it. Dispose it when the link closes to erase both keys.
/// </summary>
public sealed class NoiseTransport : IDisposable
{
    private readonly byte[] _handshakeHash;

    internal NoiseTransport(
        NoiseProtocol protocol,
        NoiseRole role,
        NoiseCipherState sender,
        NoiseCipherState receiver,
        ReadOnlySpan<byte> handshakeHash,
        X25519PublicKey? remoteStaticKey)
    {
        Protocol = protocol;
        Role = role;
        Sender = sender;
        Receiver = receiver;
        _handshakeHash = handshakeHash.ToArray();
        RemoteStaticKey = remoteStaticKey;
    }

    /// <summary>The protocol the handshake ran.</summary>
    public NoiseProtocol Protocol { get; }

    /// <summary>This side's role in the handshake.</summary>
    public NoiseRole Role { get; }

    /// <summary>Seals what this side sends.</summary>
    public NoiseCipherState Sender { get; }

    /// <summary>Opens what the peer sends.</summary>
    public NoiseCipherState Receiver { get; }

    /// <summary>
    /// The final handshake hash <c>h</c> (32 bytes): identical on both sides exactly when they ran the same
    /// handshake, so higher layers can bind signatures or tokens to this link.
    /// </summary>
    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>
    /// The peer's static X25519 key: the one the initiator was given (NK, XK initiator) or the one the initiator
    /// proved in its last message (XK responder); <c>null</c> when the peer has none (NK responder, NN).
    /// </summary>
    public X25519PublicKey? RemoteStaticKey { get; }

    /// <summary>Erases both transport keys.</summary>
    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
    }
}
