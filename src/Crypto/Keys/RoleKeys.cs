using HiddenPoint.Crypto.HiddenPoints;
using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>A relay's identity, by its Ed25519 public key (KP_relayid_ed).</summary>
/// <param name="Key">The identity key.</param>
public readonly record struct RelayId(Ed25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}

/// <summary>A directory authority's identity, by its Ed25519 public key.</summary>
/// <param name="Key">The identity key.</param>
public readonly record struct AuthorityId(Ed25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}

/// <summary>A relay's Noise static key as its descriptor lists it; the link initiator checks the responder against it.</summary>
/// <param name="Key">The X25519 public key.</param>
public readonly record struct LinkPublicKey(X25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}

/// <summary>A relay's ntor v3 key (KP_ntor) as its descriptor lists it.</summary>
/// <param name="Key">The X25519 public key.</param>
public readonly record struct CircuitHandshakePublicKey(X25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}

/// <summary>A hidden point's introduction encryption key (KP_hss_ntor) as its descriptor lists it; hs_ntor's B.</summary>
/// <param name="Key">The X25519 public key.</param>
public readonly record struct HsIntroEncryptionPublicKey(X25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}

/// <summary>A relay's long-term identity signing key (KS_relayid_ed).</summary>
public sealed class RelayIdentityKey : Ed25519SecretKey, ISecretKeyRole<RelayIdentityKey>
{
    private RelayIdentityKey(Key key)
        : base(key)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.RelayIdentity;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The relay's public identity.</summary>
    public RelayId Id => new(PublicKey);

    /// <inheritdoc/>
    public static RelayIdentityKey Generate() => new(Create());

    /// <inheritdoc/>
    public static RelayIdentityKey FromSeed(ReadOnlySpan<byte> seed) => new(Import(seed));
}

/// <summary>A directory authority's identity signing key.</summary>
public sealed class AuthorityIdentityKey : Ed25519SecretKey, ISecretKeyRole<AuthorityIdentityKey>
{
    private AuthorityIdentityKey(Key key)
        : base(key)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.AuthorityIdentity;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The authority's public identity.</summary>
    public AuthorityId Id => new(PublicKey);

    /// <inheritdoc/>
    public static AuthorityIdentityKey Generate() => new(Create());

    /// <inheritdoc/>
    public static AuthorityIdentityKey FromSeed(ReadOnlySpan<byte> seed) => new(Import(seed));
}

/// <summary>A hidden point's identity signing key (KS_hs_id); its public half is the hidden-id.</summary>
public sealed class HiddenPointIdentityKey : Ed25519SecretKey, ISecretKeyRole<HiddenPointIdentityKey>
{
    private HiddenPointIdentityKey(Key key)
        : base(key)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.HiddenPointIdentity;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The public identity key (KP_hs_id), from which the hidden-id is formed.</summary>
    public HiddenPointIdentityPublicKey IdentityPublicKey => HiddenPointIdentityPublicKey.FromDerived(PublicKey.Bytes);

    /// <inheritdoc/>
    public static HiddenPointIdentityKey Generate() => new(Create());

    /// <inheritdoc/>
    public static HiddenPointIdentityKey FromSeed(ReadOnlySpan<byte> seed) => new(Import(seed));

    /// <summary>
    /// The same key in its expanded form (<c>a | RH</c>), which key blinding needs. The caller disposes it as soon as
    /// the blinded keys for the periods at hand are made.
    /// </summary>
    public HiddenPointIdentitySecretKey ToExpandedSecretKey()
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        try
        {
            ExportSeed(seed);
            return HiddenPointIdentitySecretKey.FromSeed(seed);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }
}

/// <summary>A relay's Noise static secret key.</summary>
public sealed class LinkKey : X25519SecretKey, ISecretKeyRole<LinkKey>
{
    private LinkKey()
    {
    }

    private LinkKey(ReadOnlySpan<byte> seed)
        : base(seed)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.Link;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The public half, as the relay's descriptor lists it.</summary>
    public LinkPublicKey Public => new(PublicKey);

    /// <inheritdoc/>
    public static LinkKey Generate() => new();

    /// <inheritdoc/>
    public static LinkKey FromSeed(ReadOnlySpan<byte> seed) => new(seed);
}

/// <summary>A relay's ntor v3 secret key (KS_ntor).</summary>
public sealed class CircuitHandshakeKey : X25519SecretKey, ISecretKeyRole<CircuitHandshakeKey>
{
    private CircuitHandshakeKey()
    {
    }

    private CircuitHandshakeKey(ReadOnlySpan<byte> seed)
        : base(seed)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.CircuitHandshake;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The public half, as the relay's descriptor lists it.</summary>
    public CircuitHandshakePublicKey Public => new(PublicKey);

    /// <inheritdoc/>
    public static CircuitHandshakeKey Generate() => new();

    /// <inheritdoc/>
    public static CircuitHandshakeKey FromSeed(ReadOnlySpan<byte> seed) => new(seed);
}

/// <summary>
/// A hidden point's introduction encryption secret key (KS_hss_ntor, rend-spec-v3 §3.3): one per introduction point,
/// listed in the descriptor, and the static key of hs_ntor. It has a key-file role so that a hidden point that
/// restarts keeps answering introductions made from the descriptor it already published.
/// </summary>
public sealed class HsIntroEncryptionKey : X25519SecretKey, ISecretKeyRole<HsIntroEncryptionKey>
{
    private HsIntroEncryptionKey()
    {
    }

    private HsIntroEncryptionKey(ReadOnlySpan<byte> seed)
        : base(seed)
    {
    }

    /// <inheritdoc/>
    public static KeyRole KeyRole => KeyRole.HsIntroEncryption;

    /// <inheritdoc/>
    public override KeyRole Role => KeyRole;

    /// <summary>The public half (KP_hss_ntor), as the descriptor lists it.</summary>
    public HsIntroEncryptionPublicKey Public => new(PublicKey);

    /// <inheritdoc/>
    public static HsIntroEncryptionKey Generate() => new();

    /// <inheritdoc/>
    public static HsIntroEncryptionKey FromSeed(ReadOnlySpan<byte> seed) => new(seed);
}
