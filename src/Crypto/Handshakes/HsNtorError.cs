namespace HiddenPoint.Crypto.Handshakes;

/// <summary>Why an hs_ntor introduction or rendezvous message was rejected.</summary>
public enum HsNtorError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>
    /// The message is shorter than its fixed fields (INTRODUCE2: X and MAC, 64 bytes) or, for RENDEZVOUS2's
    /// HANDSHAKE_INFO, not exactly Y | AUTH_INPUT_MAC (64 bytes).
    /// </summary>
    Truncated,

    /// <summary>A peer's X25519 point (B, X or Y) has small order.</summary>
    LowOrderPoint,

    /// <summary>The INTRODUCE MAC does not verify: wrong subcredential or keys, or a tampered message.</summary>
    BadMac,

    /// <summary>The service's AUTH_INPUT_MAC in RENDEZVOUS2 does not verify.</summary>
    BadAuth,
}
