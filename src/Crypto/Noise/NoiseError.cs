namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// Why a Noise handshake or transport operation was refused. Every failure that bytes from the peer can cause is
/// one of these values, never an exception, so that a link can close with a reason and nothing else.
/// </summary>
public enum NoiseError
{
    /// <summary>The operation succeeded.</summary>
    None = 0,

    /// <summary>An AEAD tag did not verify: the message was modified, or the peers disagree on keys or prologue.</summary>
    DecryptFailed,

    /// <summary>The message is shorter than its pattern's keys and tag require.</summary>
    Truncated,

    /// <summary>
    /// A Diffie-Hellman with the peer's public key gave the all-zero output, which means the key is a point of small
    /// order (or otherwise unusable); accepting it would let the peer fix the shared secret.
    /// </summary>
    LowOrderPoint,

    /// <summary>
    /// The call does not fit the state: reading when it is this side's turn to write (or the reverse), using a
    /// handshake that has finished or failed, or a message arriving out of order.
    /// </summary>
    WrongState,

    /// <summary>The message would exceed the Noise limit of 65535 bytes.</summary>
    PayloadTooLarge,

    /// <summary>A received message is longer than the Noise limit of 65535 bytes.</summary>
    MessageTooLarge,

    /// <summary>The caller's output buffer cannot hold the decrypted payload of this message.</summary>
    BufferTooSmall,

    /// <summary>The 64-bit nonce counter reached 2^64-1, which Noise reserves; the cipher state cannot be used again.</summary>
    NonceExhausted,
}
