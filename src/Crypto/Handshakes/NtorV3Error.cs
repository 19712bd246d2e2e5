namespace HiddenPoint.Crypto.Handshakes;

/// <summary>Why an ntor v3 handshake message was rejected. Every value means: close the circuit.</summary>
public enum NtorV3Error
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The message is shorter than its fixed fields (client: 128 bytes; server: 64 bytes).</summary>
    Truncated,

    /// <summary>
    /// The message is longer than fits its cell: a client handshake over
    /// <see cref="NtorV3Server.MaxClientHandshakeLength"/> or a server reply over
    /// <see cref="NtorV3Server.MaxServerHandshakeLength"/>.
    /// </summary>
    Oversized,

    /// <summary>The client addressed another relay's identity (NODEID is not ours).</summary>
    UnknownRelayIdentity,

    /// <summary>The client addressed an onion key (KEYID) that this relay does not hold.</summary>
    UnknownOnionKey,

    /// <summary>A peer's X25519 point has small order: the shared secret would be all zeros.</summary>
    LowOrderPoint,

    /// <summary>The client's MAC over its message does not verify (server side).</summary>
    BadMessageMac,

    /// <summary>The server's AUTH does not verify (client side).</summary>
    BadAuth,
}
