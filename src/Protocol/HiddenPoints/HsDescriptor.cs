using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// A hidden-point descriptor whose outer layer is proven: its signing key is certified by <see cref="BlindedKey"/>,
/// the certificate had not expired when checked, and that key signed the document. What an HSDir stores; a client
/// decrypts it further with <see cref="HiddenPointDescriptor.TryDecrypt"/>.
/// </summary>
public sealed class HsDescriptor
{
    private readonly byte[] _superencrypted;

    internal HsDescriptor(
        BlindedPublicKey blindedKey, Ed25519PublicKey signingKey, DateTimeOffset signingKeyExpires, int lifetimeMinutes,
        ulong revisionCounter, byte[] superencrypted, ReadOnlyMemory<byte> document)
    {
        BlindedKey = blindedKey;
        SigningKey = signingKey;
        SigningKeyExpires = signingKeyExpires;
        LifetimeMinutes = lifetimeMinutes;
        RevisionCounter = revisionCounter;
        _superencrypted = superencrypted;
        Document = document;
    }

    /// <summary>KP_hs_blind_id: the key the descriptor was checked against.</summary>
    public BlindedPublicKey BlindedKey { get; }

    /// <summary>KP_hs_desc_sign, which signed the descriptor and certifies the introduction points' keys.</summary>
    public Ed25519PublicKey SigningKey { get; }

    /// <summary>When the descriptor-signing-key certificate expires.</summary>
    public DateTimeOffset SigningKeyExpires { get; }

    /// <summary><c>descriptor-lifetime</c>, in minutes (30–720).</summary>
    public int LifetimeMinutes { get; }

    /// <summary>The lifetime as a duration.</summary>
    public TimeSpan Lifetime => TimeSpan.FromMinutes(LifetimeMinutes);

    /// <summary><c>revision-counter</c>: a host raises it with every new descriptor for the same blinded key.</summary>
    public ulong RevisionCounter { get; }

    /// <summary>The first encrypted layer's blob (salt · ciphertext · MAC).</summary>
    public ReadOnlySpan<byte> Superencrypted => _superencrypted;

    /// <summary>The document bytes, exactly as signed.</summary>
    public ReadOnlyMemory<byte> Document { get; }
}
