namespace HiddenPoint.Crypto.Noise;

/// <summary>The AEAD of a Noise protocol (Noise revision 34, §12.3 and §12.4).</summary>
public enum NoiseCipher
{
    /// <summary>
    /// <c>AESGCM</c>: AES-256-GCM, nonce = 32 zero bits then the 64-bit counter big-endian. HiddenPoint's links.
    /// </summary>
    AesGcm,

    /// <summary>
    /// <c>ChaChaPoly</c>: ChaCha20-Poly1305 (RFC 8439), nonce = 32 zero bits then the 64-bit counter little-endian.
    /// </summary>
    ChaChaPoly,
}
