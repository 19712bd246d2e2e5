using System.Security.Cryptography;
using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// A long-term secret key. Concrete types name the role (<see cref="RelayIdentityKey"/>, <see cref="LinkKey"/>, …);
/// the base only knows the role and the 32-byte seed that key files store. Ed25519 keys live in NSec's secure memory;
/// X25519 keys in a pinned array that is zeroed on <see cref="Dispose"/>, because every X25519 computation runs on
/// libsodium directly (see <see cref="Interop.X25519"/>).
/// </summary>
public abstract class SecretKey : IDisposable
{
    /// <summary>Length of the secret as stored (an Ed25519 seed or an X25519 scalar).</summary>
    public const int SeedLength = 32;

    private protected SecretKey()
    {
    }

    /// <summary>What this key is for.</summary>
    public abstract KeyRole Role { get; }

    /// <summary>The public key, encoded (32 bytes).</summary>
    internal abstract ReadOnlySpan<byte> PublicKeyBytes { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        DisposeSecret();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the 32-byte seed (secret) into <paramref name="destination"/>. For key files and key derivation only.</summary>
    internal abstract void ExportSeed(Span<byte> destination);

    /// <summary>Erases or releases the secret.</summary>
    private protected abstract void DisposeSecret();

    private protected static void CheckSeedLength(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"A secret key seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        }
    }
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

/// <summary>An Ed25519 signing key of some role, held in NSec's secure memory.</summary>
public abstract class Ed25519SecretKey : SecretKey
{
    private readonly Key _key;
    private readonly Ed25519PublicKey _publicKey;

    private protected Ed25519SecretKey(Key key)
    {
        _key = key;
        _publicKey = Ed25519PublicKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The public half.</summary>
    public Ed25519PublicKey PublicKey => _publicKey;

    internal override ReadOnlySpan<byte> PublicKeyBytes => _publicKey.Bytes;

    /// <summary>Signs <paramref name="data"/> into a 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => SignatureAlgorithm.Ed25519.Sign(_key, data, signature);

    /// <summary>Signs <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    internal override void ExportSeed(Span<byte> destination)
    {
        var exported = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            exported.AsSpan().CopyTo(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(exported);
        }
    }

    private protected override void DisposeSecret() => _key.Dispose();

    private protected static Key Create() => Key.Create(SignatureAlgorithm.Ed25519, Exportable());

    private protected static Key Import(ReadOnlySpan<byte> seed)
    {
        CheckSeedLength(seed);
        return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable());
    }

    // Export is allowed because key files must be written and hidden-point keys blinded from their seed; the
    // secret never leaves this assembly otherwise.
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}

/// <summary>
/// An X25519 key-agreement key of some role. The scalar lives in a pinned array (never moved, so never copied by
/// the GC) and is zeroed on <see cref="SecretKey.Dispose"/>; agreements run on libsodium directly, without NSec's
/// per-key and per-secret guarded allocations, because relays run one per handshake.
/// </summary>
public abstract class X25519SecretKey : SecretKey
{
    private readonly byte[] _secret;
    private readonly X25519PublicKey _publicKey;
    private bool _disposed;

    /// <summary>A new random key, drawn straight into its pinned array.</summary>
    private protected X25519SecretKey()
    {
        _secret = GC.AllocateUninitializedArray<byte>(SeedLength, pinned: true);
        RandomNumberGenerator.Fill(_secret);
        Interop.X25519.Clamp(_secret);
        _publicKey = DerivePublicKey(_secret);
    }

    /// <summary>
    /// The key whose scalar is <paramref name="seed"/> (32 bytes). It is kept clamped (RFC 7748 §5), which changes no
    /// result, so that the seed a key file stores is the single encoding of the key.
    /// </summary>
    private protected X25519SecretKey(ReadOnlySpan<byte> seed)
    {
        CheckSeedLength(seed);
        _secret = GC.AllocateUninitializedArray<byte>(SeedLength, pinned: true);
        seed.CopyTo(_secret);
        Interop.X25519.Clamp(_secret);
        _publicKey = DerivePublicKey(_secret);
    }

    /// <summary>The public half.</summary>
    public X25519PublicKey PublicKey => _publicKey;

    internal override ReadOnlySpan<byte> PublicKeyBytes => _publicKey.Bytes;

    /// <summary>
    /// <paramref name="shared"/> = X25519(this key, <paramref name="peer"/>); false (and <paramref name="shared"/>
    /// zeroed) when the peer's point has small order, which a peer can send on purpose.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    internal bool TryAgree(ReadOnlySpan<byte> peer, Span<byte> shared)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Interop.X25519.TryAgree(_secret, peer, shared);
    }

    internal override void ExportSeed(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _secret.CopyTo(destination);
    }

    private protected override void DisposeSecret()
    {
        CryptographicOperations.ZeroMemory(_secret);
        _disposed = true;
    }

    private static X25519PublicKey DerivePublicKey(ReadOnlySpan<byte> secret)
    {
        Span<byte> publicKey = stackalloc byte[X25519PublicKey.Length];
        Interop.X25519.DerivePublicKey(secret, publicKey);
        return X25519PublicKey.FromBytes(publicKey);
    }
}
