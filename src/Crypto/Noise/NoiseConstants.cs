namespace HiddenPoint.Crypto.Noise;

/// <summary>Sizes fixed by Noise with 25519, a 16-byte-tag AEAD and SHA-256.</summary>
internal static class NoiseConstants
{
    /// <summary>DHLEN for 25519: a public key or DH output.</summary>
    public const int DhLength = 32;

    /// <summary>HASHLEN for SHA-256.</summary>
    public const int HashLength = 32;

    /// <summary>Cipher key length for every Noise cipher.</summary>
    public const int KeyLength = 32;

    /// <summary>AEAD tag length for AESGCM and ChaChaPoly.</summary>
    public const int TagLength = 16;

    /// <summary>Noise's bound on any message, handshake or transport (§3).</summary>
    public const int MaxMessageLength = 65535;

    /// <summary>Nonce length of both AEADs.</summary>
    public const int NonceLength = 12;
}
