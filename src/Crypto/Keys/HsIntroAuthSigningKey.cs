using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// KS_hs_ipt_sid (rend-spec-v3 §1.9): the Ed25519 key a hidden point holds for one introduction point. It signs
/// ESTABLISH_INTRO, and its public half is AUTH_KEY, by which the introduction point knows the registration and the
/// descriptor names the introduction point. Held in NSec's secure memory; dispose it to release the secret.
/// </summary>
public sealed class HsIntroAuthSigningKey : IDisposable
{
    private readonly Key _key;

    private HsIntroAuthSigningKey(Key key)
    {
        _key = key;
        PublicKey = Ed25519PublicKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>KP_hs_ipt_sid (AUTH_KEY).</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>A new random key.</summary>
    public static HsIntroAuthSigningKey Generate() => new(Key.Create(SignatureAlgorithm.Ed25519));

    /// <summary>The key with the given 32-byte Ed25519 seed (for reproducible tests and for a host's stored keys).</summary>
    public static HsIntroAuthSigningKey FromSeed(ReadOnlySpan<byte> seed)
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
