using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// KP_hs_id (rend-spec-v3 §1.9): a hidden point's long-term Ed25519 identity public key, the key its hidden-id
/// encodes. Always a canonical point of prime order: keys with a torsion component are refused, because they would
/// give one identity several valid encodings and blinded keys. A validated <see cref="Ed25519PublicKey"/>.
/// </summary>
public sealed class HiddenPointIdentityPublicKey : IEquatable<HiddenPointIdentityPublicKey>
{
    /// <summary>Length of the encoded key in bytes.</summary>
    public const int Length = 32;

    private readonly Ed25519PublicKey _key;

    private HiddenPointIdentityPublicKey(ReadOnlySpan<byte> key) => _key = Ed25519PublicKey.FromBytes(key);

    /// <summary>The key as a plain Ed25519 public key.</summary>
    public Ed25519PublicKey Key => _key;

    /// <summary>The 32-byte Ed25519 encoding.</summary>
    public ReadOnlySpan<byte> Bytes => _key.Bytes;

    /// <summary>
    /// Validates <paramref name="key"/> as an identity key. Returns <see cref="HiddenIdError.None"/> and the key, or
    /// <see cref="HiddenIdError.BadLength"/>, <see cref="HiddenIdError.KeyNotOnCurve"/> or
    /// <see cref="HiddenIdError.KeyNotInPrimeOrderSubgroup"/>.
    /// </summary>
    public static HiddenIdError TryCreate(ReadOnlySpan<byte> key, out HiddenPointIdentityPublicKey? identityKey)
    {
        identityKey = null;
        var error = Validate(key);
        if (error == HiddenIdError.None)
        {
            identityKey = new HiddenPointIdentityPublicKey(key);
        }

        return error;
    }

    /// <summary>The hidden-id of this key.</summary>
    public HiddenId ToHiddenId() => new(this);

    /// <inheritdoc/>
    public bool Equals(HiddenPointIdentityPublicKey? other) =>
        other is not null && _key.Equals(other._key);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HiddenPointIdentityPublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => _key.GetHashCode();

    /// <summary>The key in lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_key.Bytes);

    internal static HiddenIdError Validate(ReadOnlySpan<byte> key)
    {
        if (key.Length != Length)
        {
            return HiddenIdError.BadLength;
        }

        if (Ed25519Arithmetic.IsValidPoint(key))
        {
            return HiddenIdError.None;
        }

        return Ed25519Arithmetic.IsCanonicalCurvePoint(key)
            ? HiddenIdError.KeyNotInPrimeOrderSubgroup
            : HiddenIdError.KeyNotOnCurve;
    }

    /// <summary>
    /// The public half a·B of a secret key: a non-zero multiple of the base point, so of prime order by construction
    /// (libsodium has just refused the identity), and not checked again.
    /// </summary>
    internal static HiddenPointIdentityPublicKey FromDerived(ReadOnlySpan<byte> key) =>
        key.Length == Length
            ? new HiddenPointIdentityPublicKey(key)
            : throw new ArgumentException("An identity key is 32 bytes.", nameof(key));
}
