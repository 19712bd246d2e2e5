using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// KS_hs_desc_sign (rend-spec-v3 §1.9): the short-lived Ed25519 key that signs a hidden point's descriptors and
/// certifies the keys of its introduction points. The period's blinded key certifies it, so the blinded secret is
/// needed only once per certificate, not for every descriptor. Never written to disk: a host makes a new one when
/// the certificate runs out. Held in NSec's secure memory; dispose it to release the secret.
/// </summary>
public sealed class HsDescriptorSigningKey : IDisposable
{
    private readonly Key _key;

    private HsDescriptorSigningKey(Key key)
    {
        _key = key;
        PublicKey = Ed25519PublicKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>KP_hs_desc_sign.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>A new random key.</summary>
    public static HsDescriptorSigningKey Generate() => new(Key.Create(SignatureAlgorithm.Ed25519));

    /// <summary>The key with the given 32-byte Ed25519 seed (for reproducible tests and vectors).</summary>
    public static HsDescriptorSigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SecretKey.SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SecretKey.SeedLength} bytes, not {seed.Length}.", nameof(seed));
        }

        return new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));
    }

    /// <summary>Signs <paramref name="data"/> into a 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => SignatureAlgorithm.Ed25519.Sign(_key, data, signature);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
