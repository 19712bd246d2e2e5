using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// A long-term secret key held in NSec's secure memory. Concrete types name the role (<see cref="RelayIdentityKey"/>,
/// <see cref="LinkKey"/>, …); the base only knows the role and the 32-byte seed that key files store.
/// </summary>
public abstract class SecretKey : IDisposable
{
    /// <summary>Length of the secret as stored (an Ed25519 seed or an X25519 scalar).</summary>
    public const int SeedLength = 32;

    private protected SecretKey(Key key) => NSecKey = key;

    /// <summary>What this key is for.</summary>
    public abstract KeyRole Role { get; }

    internal Key NSecKey { get; }

    /// <summary>Writes the 32-byte seed (secret) into <paramref name="destination"/>. For key files and key derivation only.</summary>
    internal void ExportSeed(Span<byte> destination)
    {
        var exported = NSecKey.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            exported.AsSpan().CopyTo(destination);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(exported);
        }
    }

    /// <summary>The public key, encoded (32 bytes).</summary>
    internal abstract ReadOnlySpan<byte> PublicKeyBytes { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        NSecKey.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected static Key CreateKey(Algorithm algorithm) => Key.Create(algorithm, Exportable());

    private protected static Key ImportKey(Algorithm algorithm, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"A secret key seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        }

        return Key.Import(algorithm, seed, KeyBlobFormat.RawPrivateKey, Exportable());
    }

    // Export is allowed because key files must be written and hidden-point keys blinded from their seed; the
    // secret never leaves this assembly otherwise.
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}

/// <summary>Implemented by each role's key type so that generic code (key files) can create it from a seed.</summary>
/// <typeparam name="TSelf">The role's key type.</typeparam>
public interface ISecretKeyRole<out TSelf>
    where TSelf : SecretKey
{
    /// <summary>The role every key of this type has.</summary>
    static abstract KeyRole KeyRole { get; }

    /// <summary>Recreates the key from its 32-byte seed.</summary>
    static abstract TSelf FromSeed(ReadOnlySpan<byte> seed);

    /// <summary>Makes a new random key.</summary>
    static abstract TSelf Generate();
}

/// <summary>An Ed25519 signing key of some role.</summary>
public abstract class Ed25519SecretKey : SecretKey
{
    private readonly Ed25519PublicKey _publicKey;

    private protected Ed25519SecretKey(Key key)
        : base(key) => _publicKey = Ed25519PublicKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>The public half.</summary>
    public Ed25519PublicKey PublicKey => _publicKey;

    internal override ReadOnlySpan<byte> PublicKeyBytes => _publicKey.Bytes;

    /// <summary>Signs <paramref name="data"/> into a 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => SignatureAlgorithm.Ed25519.Sign(NSecKey, data, signature);

    /// <summary>Signs <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(NSecKey, data);

    private protected static Key Create() => CreateKey(SignatureAlgorithm.Ed25519);

    private protected static Key Import(ReadOnlySpan<byte> seed) => ImportKey(SignatureAlgorithm.Ed25519, seed);
}

/// <summary>An X25519 key-agreement key of some role.</summary>
public abstract class X25519SecretKey : SecretKey
{
    private readonly X25519PublicKey _publicKey;

    private protected X25519SecretKey(Key key)
        : base(key) => _publicKey = X25519PublicKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>The public half.</summary>
    public X25519PublicKey PublicKey => _publicKey;

    internal override ReadOnlySpan<byte> PublicKeyBytes => _publicKey.Bytes;

    private protected static Key Create() => CreateKey(KeyAgreementAlgorithm.X25519);

    private protected static Key Import(ReadOnlySpan<byte> seed) => ImportKey(KeyAgreementAlgorithm.X25519, seed);
}
