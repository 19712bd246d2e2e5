using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// The encryption of both encrypted layers (rend-spec-v3 §2.5.3, [HS-DESC-ENCRYPTION-KEYS]), with HiddenPoint's
/// labels and no client authorization:
/// <code>
/// secret_input = KP_hs_blind_id · N_hs_subcred · u64(revision_counter)
/// keys         = SHAKE-256(secret_input · salt · label)[0..80]  =  key (32) · iv (16) · mac_key (32)
/// blob         = salt (16) · AES-256-CTR(key, iv, plaintext) · SHA3-256(u64(32) · mac_key · salt · ciphertext)
/// </code>
/// with label <c>hpc-superencrypted-data</c> for the first layer and <c>hpc-encrypted-data</c> for the second. Only
/// someone who knows the hidden-id can compute the subcredential, so HSDirs cannot read either layer.
/// </summary>
public static class HsDescriptorEncryption
{
    /// <summary>Length of the random salt that starts a blob.</summary>
    public const int SaltLength = 16;

    /// <summary>Length of the MAC that ends a blob.</summary>
    public const int MacLength = 32;

    /// <summary>A blob's length beyond its plaintext.</summary>
    public const int Overhead = SaltLength + MacLength;

    private const int KeyLength = 32;
    private const int IvLength = 16;
    private const int MacKeyLength = 32;

    /// <summary>The first layer's KDF label.</summary>
    public static ReadOnlySpan<byte> SuperencryptedLabel => "hpc-superencrypted-data"u8;

    /// <summary>The second layer's KDF label.</summary>
    public static ReadOnlySpan<byte> EncryptedLabel => "hpc-encrypted-data"u8;

    /// <summary>Encrypts <paramref name="plaintext"/> for <paramref name="layer"/> under a fresh random salt.</summary>
    /// <param name="layer"><see cref="HsDescriptorLayer.Middle"/> or <see cref="HsDescriptorLayer.Inner"/>.</param>
    /// <param name="blindedKey">KP_hs_blind_id of the period.</param>
    /// <param name="subcredential">N_hs_subcred of the period.</param>
    /// <param name="revisionCounter">The descriptor's revision counter.</param>
    /// <param name="plaintext">The layer's plaintext.</param>
    public static byte[] Encrypt(
        HsDescriptorLayer layer, BlindedPublicKey blindedKey, Subcredential subcredential, ulong revisionCounter, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> salt = stackalloc byte[SaltLength];
        RandomNumberGenerator.Fill(salt);
        return Encrypt(layer, blindedKey, subcredential, revisionCounter, plaintext, salt);
    }

    /// <summary>As <see cref="Encrypt(HsDescriptorLayer, BlindedPublicKey, Subcredential, ulong, ReadOnlySpan{byte})"/> with a given salt (tests, vectors).</summary>
    internal static byte[] Encrypt(
        HsDescriptorLayer layer, BlindedPublicKey blindedKey, Subcredential subcredential, ulong revisionCounter, ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        ArgumentNullException.ThrowIfNull(subcredential);
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"A salt is {SaltLength} bytes.", nameof(salt));
        }

        var blob = new byte[Overhead + plaintext.Length];
        Span<byte> keys = stackalloc byte[KeyLength + IvLength + MacKeyLength];
        try
        {
            DeriveKeys(Label(layer), blindedKey, subcredential, revisionCounter, salt, keys);
            salt.CopyTo(blob);
            var ciphertext = blob.AsSpan(SaltLength, plaintext.Length);
            plaintext.CopyTo(ciphertext);
            AesCtr.Xor(keys[..KeyLength], keys.Slice(KeyLength, IvLength), ciphertext);
            ComputeMac(keys[(KeyLength + IvLength)..], blob.AsSpan(0, SaltLength + plaintext.Length), blob.AsSpan(SaltLength + plaintext.Length));
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    /// <summary>
    /// Checks the MAC of <paramref name="blob"/> and decrypts it. <see cref="HsDescriptorErrorKind.Truncated"/> when it
    /// is shorter than a salt and a MAC; <see cref="HsDescriptorErrorKind.BadMac"/> when altered or keyed for another
    /// hidden point, period or revision. Nothing is decrypted unless the MAC matches.
    /// </summary>
    public static bool TryDecrypt(
        HsDescriptorLayer layer, BlindedPublicKey blindedKey, Subcredential subcredential, ulong revisionCounter, ReadOnlySpan<byte> blob,
        out byte[] plaintext, out HsDescriptorError error)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        ArgumentNullException.ThrowIfNull(subcredential);
        plaintext = [];
        if (blob.Length < Overhead)
        {
            error = new(HsDescriptorErrorKind.Truncated, layer);
            return false;
        }

        var salt = blob[..SaltLength];
        var macStart = blob.Length - MacLength;
        Span<byte> keys = stackalloc byte[KeyLength + IvLength + MacKeyLength];
        Span<byte> mac = stackalloc byte[MacLength];
        try
        {
            DeriveKeys(Label(layer), blindedKey, subcredential, revisionCounter, salt, keys);
            ComputeMac(keys[(KeyLength + IvLength)..], blob[..macStart], mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, blob[macStart..]))
            {
                error = new(HsDescriptorErrorKind.BadMac, layer);
                return false;
            }

            plaintext = blob[SaltLength..macStart].ToArray();
            AesCtr.Xor(keys[..KeyLength], keys.Slice(KeyLength, IvLength), plaintext);
            error = default;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    private static ReadOnlySpan<byte> Label(HsDescriptorLayer layer) => layer switch
    {
        HsDescriptorLayer.Middle => SuperencryptedLabel,
        HsDescriptorLayer.Inner => EncryptedLabel,
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "Only the middle and inner layers are encrypted."),
    };

    private static void DeriveKeys(
        ReadOnlySpan<byte> label, BlindedPublicKey blindedKey, Subcredential subcredential, ulong revisionCounter, ReadOnlySpan<byte> salt,
        Span<byte> keys)
    {
        Span<byte> input = stackalloc byte[BlindedPublicKey.Length + Subcredential.Length + 8 + SaltLength + 32];
        try
        {
            var position = 0;
            blindedKey.Bytes.CopyTo(input);
            position += BlindedPublicKey.Length;
            subcredential.Bytes.CopyTo(input[position..]);
            position += Subcredential.Length;
            BinaryPrimitives.WriteUInt64BigEndian(input[position..], revisionCounter);
            position += 8;
            salt.CopyTo(input[position..]);
            position += SaltLength;
            label.CopyTo(input[position..]);
            position += label.Length;
            Shake256.HashData(input[..position], keys);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    // MAC(k, m) = SHA3-256(u64(len(k)) · k · m), rend-spec-v3's descriptor MAC.
    private static void ComputeMac(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> saltAndCiphertext, Span<byte> mac)
    {
        using var sha3 = IncrementalHash.CreateHash(HashAlgorithmName.SHA3_256);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)macKey.Length);
        sha3.AppendData(length);
        sha3.AppendData(macKey);
        sha3.AppendData(saltAndCiphertext);
        sha3.GetHashAndReset(mac);
    }
}
