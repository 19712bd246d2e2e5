using System.Security.Cryptography;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// KS_hs_id (rend-spec-v3 §1.9): a hidden point's long-term Ed25519 identity secret key, held in its expanded form
/// <c>a | RH</c> (the clamped scalar and the second half of SHA-512 of the seed), because key blinding needs both
/// halves. Dispose it to zero the secret.
/// </summary>
public sealed class HiddenPointIdentitySecretKey : IDisposable
{
    /// <summary>Length of an Ed25519 seed (NSec's raw private key).</summary>
    public const int SeedLength = Ed25519ExpandedSigning.SeedLength;

    /// <summary>Length of the expanded secret <c>a | RH</c>.</summary>
    public const int ExpandedLength = Ed25519ExpandedSigning.ExpandedSecretLength;

    /// <summary>Length of a signature.</summary>
    public const int SignatureLength = Ed25519ExpandedSigning.SignatureLength;

    // Pinned so that the GC never leaves a copy of the secret behind when it compacts.
    private readonly byte[] _expanded = GC.AllocateUninitializedArray<byte>(ExpandedLength, pinned: true);
    private bool _disposed;

    private HiddenPointIdentitySecretKey(ReadOnlySpan<byte> expanded)
    {
        expanded.CopyTo(_expanded);
        Span<byte> publicKey = stackalloc byte[HiddenPointIdentityPublicKey.Length];
        Ed25519ExpandedSigning.DerivePublicKey(_expanded, publicKey);
        PublicKey = HiddenPointIdentityPublicKey.FromDerived(publicKey);
    }

    /// <summary>KP_hs_id.</summary>
    public HiddenPointIdentityPublicKey PublicKey { get; }

    /// <summary>A new random identity.</summary>
    public static HiddenPointIdentitySecretKey Generate()
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The key whose 32-byte Ed25519 seed (RFC 8032 private key, NSec's raw private key) is given.</summary>
    public static HiddenPointIdentitySecretKey FromSeed(ReadOnlySpan<byte> seed)
    {
        Span<byte> expanded = stackalloc byte[ExpandedLength];
        try
        {
            Ed25519ExpandedSigning.ExpandSeed(seed, expanded);
            return new HiddenPointIdentitySecretKey(expanded);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
        }
    }

    /// <summary>
    /// The key with the given 64-byte expanded secret <c>a | RH</c> (the form Tor's key files store). The scalar is
    /// used as given, clamped or not; it must not be zero modulo l.
    /// </summary>
    public static HiddenPointIdentitySecretKey FromExpandedSecret(ReadOnlySpan<byte> expandedSecret)
    {
        if (expandedSecret.Length != ExpandedLength)
        {
            throw new ArgumentException("An expanded Ed25519 secret is 64 bytes.", nameof(expandedSecret));
        }

        return new HiddenPointIdentitySecretKey(expandedSecret);
    }

    /// <summary>Signs <paramref name="message"/> with plain Ed25519 into a 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Ed25519ExpandedSigning.Sign(_expanded, PublicKey.Bytes, message, signature);
    }

    /// <summary>Zeroes the secret.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_expanded);
        _disposed = true;
    }

    /// <summary>The expanded secret, for blinding.</summary>
    internal ReadOnlySpan<byte> ExpandedSecret
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _expanded;
        }
    }
}
