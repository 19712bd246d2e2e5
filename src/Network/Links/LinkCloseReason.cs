namespace HiddenPoint.Network.Links;

/// <summary>Why a link ended. Every way a link can end is one of these; metrics count closes by this value.</summary>
public enum LinkCloseReason
{
    /// <summary>The link is still open.</summary>
    None = 0,

    /// <summary>This side closed it on purpose (graceful close).</summary>
    LocalClose,

    /// <summary>This side aborted it (shutdown, or a decision of the owner).</summary>
    LocalAbort,

    /// <summary>The peer ended the byte stream between frames.</summary>
    PeerClosed,

    /// <summary>The handshake did not finish within <see cref="LinkOptions.HandshakeTimeout"/>.</summary>
    HandshakeTimeout,

    /// <summary>
    /// A handshake message did not authenticate: the responder's static key is not the one the initiator expected
    /// (not the key the consensus lists), or the message was modified, or the prologues differ.
    /// </summary>
    HandshakeAuthenticationFailed,

    /// <summary>A handshake message was malformed: too short, announced longer than allowed, or an unknown link kind.</summary>
    HandshakeMalformed,

    /// <summary>The peer ended the stream in the middle of the handshake.</summary>
    HandshakeTruncated,

    /// <summary>The peer offered a link kind this side does not accept (for example a client link to a client).</summary>
    LinkKindRefused,

    /// <summary>A frame after the handshake did not authenticate: garbage, a forged or modified frame, or a frame cut short.</summary>
    FrameAuthenticationFailed,

    /// <summary>A cell decrypted but broke the link protocol: unknown command, command not allowed here, bad circuit id.</summary>
    ProtocolViolation,

    /// <summary>Nothing arrived for <see cref="LinkOptions.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>The peer ended the stream in the middle of a frame.</summary>
    TruncatedFrame,

    /// <summary>The transport failed (connection reset, socket error).</summary>
    TransportError,

    /// <summary>The 64-bit frame counter of a direction ran out; the link cannot carry more frames.</summary>
    NonceExhausted,

    /// <summary>A fault in this process's own code; the link was closed to contain it.</summary>
    InternalError,

    /// <summary>
    /// The peer stopped reading yet kept asking for answers (CREATE2 while the outbound queue was full): more control
    /// cells waited for queue room than <see cref="LinkOptions.OutboundQueueCapacity"/>.
    /// </summary>
    ResourceLimit,

    /// <summary>
    /// Cells waited to be written but nothing reached the peer for <see cref="LinkOptions.WriteStallTimeout"/>: the
    /// peer stopped reading.
    /// </summary>
    WriteStalled,

    /// <summary>
    /// This process was above its memory limit and this link's outbound queue held the oldest waiting cell: the link
    /// was aborted, its queue let go, and the circuits it carried closed with it.
    /// </summary>
    MemoryLimit,
}
