using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// Ed25519 key blinding (rend-spec-v3 appendix A.2 [KEYBLIND]) and the subcredential ([SUBCRED]). For each time
/// period, <c>h = SHA3-256(BLIND_STRING | A | s | B | N)</c> with BLIND_STRING = label | 0x00, B the base point string
/// and <c>N = "key-blind" | u64(period number) | u64(period length)</c>; h is clamped, then <c>A' = h·A</c> and
/// <c>a' = h·a mod l</c>.
/// </summary>
public static class KeyBlinding
{
    /// <summary>The blinding factor's length.</summary>
    internal const int FactorLength = 32;

    /// <summary>The base point as the decimal string rend-spec-v3 hashes ("B" in [KEYBLIND]).</summary>
    private static ReadOnlySpan<byte> BasePointString =>
        "(15112221349535400772501151409588531511454012693041857206046113283949847762202, 46316835694926478169428394003475163141307993866256225615783033603165251855960)"u8;

    private static ReadOnlySpan<byte> NoncePrefix => "key-blind"u8;

    /// <summary>KP_hs_blind_id for <paramref name="period"/>.</summary>
    /// <param name="identityKey">KP_hs_id.</param>
    /// <param name="period">The time period.</param>
    /// <param name="labels">The network's labels.</param>
    /// <param name="secret">The optional secret s (empty unless the hidden point's owner adds one).</param>
    public static BlindedPublicKey BlindPublicKey(
        HiddenPointIdentityPublicKey identityKey, TimePeriod period, KeyBlindingLabels labels, ReadOnlySpan<byte> secret = default)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        ArgumentNullException.ThrowIfNull(labels);
        Span<byte> factor = stackalloc byte[FactorLength];
        ComputeFactor(identityKey.Bytes, period, labels, secret, factor);
        return BlindPublicKeyWithFactor(identityKey.Bytes, factor);
    }

    /// <summary>KS_hs_blind_id for <paramref name="period"/>: the expanded blinded secret and its public key.</summary>
    /// <param name="identityKey">KS_hs_id.</param>
    /// <param name="period">The time period.</param>
    /// <param name="labels">The network's labels.</param>
    /// <param name="secret">The optional secret s, as given to <see cref="BlindPublicKey"/>.</param>
    public static BlindedSigningKey BlindSigningKey(
        HiddenPointIdentitySecretKey identityKey, TimePeriod period, KeyBlindingLabels labels, ReadOnlySpan<byte> secret = default)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        ArgumentNullException.ThrowIfNull(labels);
        Span<byte> factor = stackalloc byte[FactorLength];
        ComputeFactor(identityKey.PublicKey.Bytes, period, labels, secret, factor);
        return BlindSigningKeyWithFactor(identityKey.ExpandedSecret, factor, labels, period);
    }

    /// <summary>N_hs_subcred = H(subcredential | H(credential | A) | A').</summary>
    public static Subcredential ComputeSubcredential(
        HiddenPointIdentityPublicKey identityKey, BlindedPublicKey blindedKey, KeyBlindingLabels labels)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        ArgumentNullException.ThrowIfNull(blindedKey);
        ArgumentNullException.ThrowIfNull(labels);
        Span<byte> credential = stackalloc byte[SHA3_256.HashSizeInBytes];
        Span<byte> subcredential = stackalloc byte[SHA3_256.HashSizeInBytes];
        using var sha3 = IncrementalHash.CreateHash(HashAlgorithmName.SHA3_256);
        sha3.AppendData(labels.Credential);
        sha3.AppendData(identityKey.Bytes);
        sha3.GetHashAndReset(credential);
        sha3.AppendData(labels.Subcredential);
        sha3.AppendData(credential);
        sha3.AppendData(blindedKey.Bytes);
        sha3.GetHashAndReset(subcredential);
        return new Subcredential(subcredential);
    }

    /// <summary>N_hs_subcred for <paramref name="period"/>, blinding <paramref name="identityKey"/> on the way.</summary>
    public static Subcredential ComputeSubcredential(
        HiddenPointIdentityPublicKey identityKey, TimePeriod period, KeyBlindingLabels labels, ReadOnlySpan<byte> secret = default) =>
        ComputeSubcredential(identityKey, BlindPublicKey(identityKey, period, labels, secret), labels);

    /// <summary>The unclamped blinding factor h = SHA3-256(label | 0x00 | A | s | B | N).</summary>
    internal static void ComputeFactor(
        ReadOnlySpan<byte> identityKey, TimePeriod period, KeyBlindingLabels labels, ReadOnlySpan<byte> secret, Span<byte> factor)
    {
        if (period.LengthMinutes == 0)
        {
            throw new ArgumentException("The time period is uninitialized.", nameof(period));
        }

        Span<byte> nonce = stackalloc byte[9 + 8 + 8]; // "key-blind", period number, period length
        NoncePrefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[9..], period.Number);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[17..], period.LengthMinutes);

        using var sha3 = IncrementalHash.CreateHash(HashAlgorithmName.SHA3_256);
        sha3.AppendData(labels.Blinding);
        sha3.AppendData([0]);
        sha3.AppendData(identityKey);
        sha3.AppendData(secret);
        sha3.AppendData(BasePointString);
        sha3.AppendData(nonce);
        sha3.GetHashAndReset(factor);
    }

    /// <summary>A' = clamp(h)·A, for a given unclamped factor h.</summary>
    internal static BlindedPublicKey BlindPublicKeyWithFactor(ReadOnlySpan<byte> identityKey, ReadOnlySpan<byte> factor)
    {
        CheckFactor(factor);
        Span<byte> clamped = stackalloc byte[FactorLength];
        factor.CopyTo(clamped);
        Ed25519ExpandedSigning.Clamp(clamped);
        Span<byte> blinded = stackalloc byte[BlindedPublicKey.Length];
        if (!Ed25519Arithmetic.TryMultiply(clamped, identityKey, blinded))
        {
            // Identity keys are validated on creation, and the product is the identity only when clamp(h) is a
            // multiple of l, which a SHA3-256 output does not hit in practice: this is a bug, not bad input.
            throw new CryptographicException("Blinding failed: the identity key is not a valid point of prime order.");
        }

        return BlindedPublicKey.FromDerived(blinded);
    }

    /// <summary>
    /// a' = clamp(h)·a mod l and the second half H(label | RH)[0..32], for a given unclamped factor h.
    /// </summary>
    internal static BlindedSigningKey BlindSigningKeyWithFactor(
        ReadOnlySpan<byte> expandedSecret, ReadOnlySpan<byte> factor, KeyBlindingLabels labels, TimePeriod period)
    {
        CheckFactor(factor);
        if (expandedSecret.Length != Ed25519ExpandedSigning.ExpandedSecretLength)
        {
            throw new ArgumentException("An expanded Ed25519 secret is 64 bytes.", nameof(expandedSecret));
        }

        Span<byte> clamped = stackalloc byte[FactorLength];
        Span<byte> blinded = stackalloc byte[Ed25519ExpandedSigning.ExpandedSecretLength];
        Span<byte> digest = stackalloc byte[SHA512.HashSizeInBytes];
        try
        {
            factor.CopyTo(clamped);
            Ed25519ExpandedSigning.Clamp(clamped);
            Ed25519Arithmetic.MultiplyScalars(clamped, expandedSecret[..Ed25519Arithmetic.ScalarLength], blinded[..Ed25519Arithmetic.ScalarLength]);

            using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            sha512.AppendData(labels.SigningKeyHashInput);
            sha512.AppendData(expandedSecret[Ed25519Arithmetic.ScalarLength..]);
            sha512.GetHashAndReset(digest);
            digest[..Ed25519Arithmetic.ScalarLength].CopyTo(blinded[Ed25519Arithmetic.ScalarLength..]);
            return new BlindedSigningKey(blinded, period);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clamped);
            CryptographicOperations.ZeroMemory(blinded);
            CryptographicOperations.ZeroMemory(digest);
        }
    }

    private static void CheckFactor(ReadOnlySpan<byte> factor)
    {
        if (factor.Length != FactorLength)
        {
            throw new ArgumentException("A blinding factor is 32 bytes.", nameof(factor));
        }
    }
}
