namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// The AES key size a CGO layer runs with. Proposal 359 defines CGO over AES-128, -192 and -256; Tor's network
/// runs AES-128 (C tor's <c>CGO_AES_BITS</c> is 128, and arti's network type is <c>CryptStatePair&lt;Aes128, Aes128Enc&gt;</c>),
/// and so does HiddenPoint. AES-256 is kept for a later switch.
/// </summary>
public enum CgoAesKeySize
{
    /// <summary>AES-128: 80 bytes of key material per direction. What the network uses.</summary>
    Aes128 = 16,

    /// <summary>AES-256: 112 bytes of key material per direction.</summary>
    Aes256 = 32,
}

/// <summary>Sizes of the CGO relay-cell layer (Tor proposal 359).</summary>
public static class CgoSizes
{
    /// <summary>A relay cell body: the channel cell minus circuit id and command.</summary>
    public const int BodyLength = 509;

    /// <summary>The tag: the first 16 bytes of the body, and the value an authenticated SENDME carries.</summary>
    public const int TagLength = 16;

    /// <summary>The body after the tag: what an originator fills with the relay message.</summary>
    public const int MessageLength = BodyLength - TagLength;

    /// <summary>
    /// Key material for one direction: the UIV+ key K = ET key (AES key, POLYVAL key) || PRF key (AES key,
    /// POLYVAL key), then the first nonce N (16).
    /// </summary>
    public static int DirectionKeyMaterialLength(CgoAesKeySize keySize) => UivKeyLength(keySize) + TagLength;

    /// <summary>
    /// Key material for one hop: forward (client to relay) first, then backward, as C tor and arti take them
    /// from the start of the circuit handshake's KDF stream (160 bytes for AES-128). arti reads a further 20 bytes
    /// of circuit binding after these; that is the circuit layer's business, not this layer's.
    /// </summary>
    public static int KeyMaterialLength(CgoAesKeySize keySize) => 2 * DirectionKeyMaterialLength(keySize);

    internal static int UivKeyLength(CgoAesKeySize keySize) => 2 * (AesKeyLength(keySize) + 16);

    internal static int AesKeyLength(CgoAesKeySize keySize) => keySize switch
    {
        CgoAesKeySize.Aes128 => 16,
        CgoAesKeySize.Aes256 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(keySize), keySize, "Unknown CGO key size."),
    };
}
