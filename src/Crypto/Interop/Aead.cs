using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Interop;

/// <summary>
/// AES-256-GCM and ChaCha20-Poly1305 (RFC 8439) straight from libsodium, with the key in caller-owned memory.
/// </summary>
/// <remarks>
/// NSec puts every key in guarded memory of its own, which costs tens of microseconds per key; a Noise handshake
/// installs five keys on each side (three MixKeys and the two of Split), so its cipher states hold their keys in
/// pinned arrays instead and seal through here. Output is <c>ciphertext | tag</c>, as Noise sends it.
/// </remarks>
internal static unsafe class Aead
{
    public const int KeyLength = 32;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>Whether this CPU runs libsodium's AES-256-GCM.</summary>
    public static bool IsAesGcmSupported => s_aesGcmSupported;

    // Fixed for the life of the process: it depends on the CPU alone.
    private static readonly bool s_aesGcmSupported = LibsodiumNative.crypto_aead_aes256gcm_is_available() == 1;

    /// <summary>
    /// Seals <paramref name="plaintext"/> into <paramref name="ciphertext"/> (exactly <c>plaintext.Length + 16</c>
    /// bytes; the same memory as the plaintext or not overlapping it).
    /// </summary>
    /// <exception cref="ArgumentException">A length is wrong or the buffers overlap partly.</exception>
    /// <exception cref="PlatformNotSupportedException">AES-GCM on a CPU without the instructions for it.</exception>
    public static void Seal(
        bool aesGcm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Check(aesGcm, key, nonce);
        if (ciphertext.Length != plaintext.Length + TagLength)
        {
            throw new ArgumentException("The ciphertext is the plaintext's length plus the tag.", nameof(ciphertext));
        }

        CheckOverlap(plaintext, ciphertext);
        int result;
        ulong written;
        fixed (byte* c = ciphertext)
        fixed (byte* m = plaintext)
        fixed (byte* ad = associatedData)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            result = aesGcm
                ? LibsodiumNative.crypto_aead_aes256gcm_encrypt(c, &written, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k)
                : LibsodiumNative.crypto_aead_chacha20poly1305_ietf_encrypt(c, &written, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k);
        }

        if (result != 0 || written != (ulong)ciphertext.Length)
        {
            throw new CryptographicException("AEAD encryption failed.");
        }
    }

    /// <summary>
    /// Opens <paramref name="ciphertext"/> into <paramref name="plaintext"/> (exactly <c>ciphertext.Length - 16</c>
    /// bytes); false, with <paramref name="plaintext"/> zeroed, when the tag does not verify.
    /// </summary>
    /// <exception cref="ArgumentException">A length is wrong or the buffers overlap partly.</exception>
    /// <exception cref="PlatformNotSupportedException">AES-GCM on a CPU without the instructions for it.</exception>
    public static bool TryOpen(
        bool aesGcm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Check(aesGcm, key, nonce);
        if (ciphertext.Length < TagLength || plaintext.Length != ciphertext.Length - TagLength)
        {
            throw new ArgumentException("The plaintext is the ciphertext's length less the tag.", nameof(plaintext));
        }

        CheckOverlap(ciphertext, plaintext);
        int result;
        ulong written;
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* ad = associatedData)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            result = aesGcm
                ? LibsodiumNative.crypto_aead_aes256gcm_decrypt(m, &written, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k)
                : LibsodiumNative.crypto_aead_chacha20poly1305_ietf_decrypt(m, &written, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        return true;
    }

    private static void Check(bool aesGcm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (key.Length != KeyLength || nonce.Length != NonceLength)
        {
            throw new ArgumentException("An AEAD key is 32 bytes and its nonce 12.");
        }

        if (aesGcm && !IsAesGcmSupported)
        {
            throw new PlatformNotSupportedException("AES-256-GCM needs AES-NI and PCLMULQDQ, which this CPU lacks.");
        }
    }

    private static void CheckOverlap(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        if (input.Overlaps(output, out var offset) && offset != 0)
        {
            throw new ArgumentException("In-place encryption and decryption must start at the same byte.", nameof(output));
        }
    }
}
