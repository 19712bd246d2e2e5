using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Interop;

/// <summary>
/// X25519 (RFC 7748) straight from libsodium's <c>crypto_scalarmult</c>, on caller-owned spans: the one path every
/// X25519 computation of HiddenPoint takes (key files' keys, ntor v3, hs_ntor, Noise).
/// </summary>
/// <remarks>
/// NSec's <c>Key</c> and <c>SharedSecret</c> live in guarded secure memory: one ephemeral key and two shared secrets
/// cost about 75 + 2 × 93 µs against 14 + 2 × 33 µs for the bare scalar multiplications, which put a relay's
/// handshakes far over budget. Callers therefore keep ephemeral secrets on the stack and long-lived ones in pinned
/// arrays, and zero both. A low-order peer point makes libsodium return -1 (all-zero result); that is reported as
/// <see langword="false"/>, never thrown, since the peer chose it.
/// </remarks>
internal static unsafe class X25519
{
    /// <summary>Length of a secret scalar, a public key and a shared secret.</summary>
    public const int KeyLength = LibsodiumNative.X25519Bytes;

    /// <summary>shared = X25519(secret, publicKey); false (and <paramref name="shared"/> zeroed) when the point has small order.</summary>
    /// <exception cref="ArgumentException">A span is not 32 bytes.</exception>
    public static bool TryAgree(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, Span<byte> shared)
    {
        CheckLength(secretKey.Length, nameof(secretKey));
        CheckLength(publicKey.Length, nameof(publicKey));
        CheckLength(shared.Length, nameof(shared));
        int result;
        fixed (byte* q = shared)
        fixed (byte* n = secretKey)
        fixed (byte* p = publicKey)
        {
            result = LibsodiumNative.crypto_scalarmult(q, n, p);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(shared);
            return false;
        }

        return true;
    }

    /// <summary>publicKey = X25519(secret, 9).</summary>
    /// <exception cref="ArgumentException">A span is not 32 bytes.</exception>
    public static void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        CheckLength(secretKey.Length, nameof(secretKey));
        CheckLength(publicKey.Length, nameof(publicKey));
        int result;
        fixed (byte* q = publicKey)
        fixed (byte* n = secretKey)
        {
            result = LibsodiumNative.crypto_scalarmult_base(q, n);
        }

        if (result != 0)
        {
            // Only a zero scalar after clamping can do this, and clamping sets bit 254.
            throw new CryptographicException("X25519 base point multiplication failed.");
        }
    }

    /// <summary>
    /// decodeScalar25519 of RFC 7748 §5 in place: clears the three low bits and the top bit, sets bit 254. Every
    /// X25519 computation applies it, so a clamped scalar is the one canonical form of a secret key.
    /// </summary>
    public static void Clamp(Span<byte> scalar)
    {
        CheckLength(scalar.Length, nameof(scalar));
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
    }

    /// <summary>Whether <paramref name="scalar"/> is already in the form <see cref="Clamp"/> gives.</summary>
    public static bool IsClamped(ReadOnlySpan<byte> scalar) =>
        scalar.Length == KeyLength && (scalar[0] & 7) == 0 && (scalar[31] & 0xC0) == 0x40;

    private static void CheckLength(int length, string parameterName)
    {
        if (length != KeyLength)
        {
            throw new ArgumentException($"X25519 keys and shared secrets are {KeyLength} bytes, not {length}.", parameterName);
        }
    }
}
