using HiddenPoint.Crypto.Noise;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Links;

/// <summary>
/// Sizes on the wire of a link (docs/network.md): a one-byte link kind from the initiator, handshake messages as
/// <c>length (2, big-endian) · message</c>, then fixed-size frames, each one sealed cell with no length prefix.
/// </summary>
public static class LinkFraming
{
    /// <summary>The longest handshake message accepted; a larger announced length is refused before it is read.</summary>
    public const int MaxHandshakeMessageLength = 256;

    /// <summary>The length prefix of a handshake message.</summary>
    public const int HandshakeLengthPrefix = 2;

    /// <summary>One frame after the handshake: a 514-byte cell sealed with AES-GCM (16-byte tag).</summary>
    public const int FrameLength = Cell.Length + NoiseCipherState.TagLength;
}
