using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// Ed25519 (RFC 8032 §5.1.6) from an expanded 64-byte secret <c>a | prefix</c> instead of a seed. A blinded key has
/// no seed: its secret scalar is h·a mod l, so ordinary Ed25519 libraries cannot sign with it. The signatures are
/// ordinary Ed25519 signatures and verify with any implementation.
/// </summary>
internal static class Ed25519ExpandedSigning
{
    public const int SeedLength = 32;
    public const int ExpandedSecretLength = 64;
    public const int SignatureLength = 64;

    /// <summary>expanded = SHA-512(seed), the first half clamped (RFC 8032 §5.1.5).</summary>
    public static void ExpandSeed(ReadOnlySpan<byte> seed, Span<byte> expanded)
    {
        if (seed.Length != SeedLength || expanded.Length != ExpandedSecretLength)
        {
            throw new ArgumentException("An Ed25519 seed is 32 bytes and its expansion 64.");
        }

        SHA512.HashData(seed, expanded);
        Clamp(expanded[..Ed25519Arithmetic.ScalarLength]);
    }

    /// <summary>Clears the three low bits, clears bit 255 and sets bit 254.</summary>
    public static void Clamp(Span<byte> scalar)
    {
        scalar[0] &= 248;
        scalar[31] &= 63;
        scalar[31] |= 64;
    }

    /// <summary>The public key a·B of an expanded secret.</summary>
    public static void DerivePublicKey(ReadOnlySpan<byte> expandedSecret, Span<byte> publicKey)
    {
        CheckExpanded(expandedSecret);
        if (!Ed25519Arithmetic.TryMultiplyBase(expandedSecret[..Ed25519Arithmetic.ScalarLength], publicKey))
        {
            throw new CryptographicException("The secret scalar is zero modulo the group order.");
        }
    }

    /// <summary>
    /// Signs: r = SHA-512(prefix | M) mod l, R = r·B, k = SHA-512(R | A | M) mod l, S = r + k·a mod l; writes R | S.
    /// </summary>
    public static void Sign(
        ReadOnlySpan<byte> expandedSecret, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        CheckExpanded(expandedSecret);
        if (publicKey.Length != Ed25519Arithmetic.PointLength || signature.Length != SignatureLength)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes and a signature 64.");
        }

        var scalar = expandedSecret[..Ed25519Arithmetic.ScalarLength];
        var prefix = expandedSecret[Ed25519Arithmetic.ScalarLength..];
        Span<byte> wide = stackalloc byte[Ed25519Arithmetic.WideScalarLength];
        Span<byte> nonce = stackalloc byte[Ed25519Arithmetic.ScalarLength];
        Span<byte> product = stackalloc byte[Ed25519Arithmetic.ScalarLength];
        var commitment = signature[..Ed25519Arithmetic.PointLength];
        using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        try
        {
            sha512.AppendData(prefix);
            sha512.AppendData(message);
            sha512.GetHashAndReset(wide);
            Ed25519Arithmetic.Reduce(wide, nonce);
            if (!Ed25519Arithmetic.TryMultiplyBase(nonce, commitment))
            {
                // r = 0 needs a SHA-512 output that is a multiple of l: not reachable in practice.
                throw new CryptographicException("The Ed25519 nonce is zero.");
            }

            sha512.AppendData(commitment);
            sha512.AppendData(publicKey);
            sha512.AppendData(message);
            sha512.GetHashAndReset(wide);
            Ed25519Arithmetic.Reduce(wide, product);
            Ed25519Arithmetic.MultiplyScalars(product, scalar, product);
            Ed25519Arithmetic.AddScalars(nonce, product, signature[Ed25519Arithmetic.PointLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wide);
            CryptographicOperations.ZeroMemory(nonce);
            CryptographicOperations.ZeroMemory(product);
        }
    }

    private static void CheckExpanded(ReadOnlySpan<byte> expandedSecret)
    {
        if (expandedSecret.Length != ExpandedSecretLength)
        {
            throw new ArgumentException("An expanded Ed25519 secret is 64 bytes.", nameof(expandedSecret));
        }
    }
}
