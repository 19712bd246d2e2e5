using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// KP_hs_blind_id (rend-spec-v3 §1.9, appendix A.2): a hidden point's per-period blinded public key
/// <c>A' = h·A</c>. It names the descriptor on the HSDirs and certifies the descriptor-signing key; it reveals
/// nothing of <c>A</c> to anyone who does not already know the hidden-id. A validated <see cref="Ed25519PublicKey"/>,
/// which also verifies its signatures.
/// </summary>
public sealed class BlindedPublicKey : IEquatable<BlindedPublicKey>
{
    /// <summary>Length of the encoded key in bytes.</summary>
    public const int Length = 32;

    private readonly Ed25519PublicKey _key;

    private BlindedPublicKey(ReadOnlySpan<byte> key) => _key = Ed25519PublicKey.FromBytes(key);

    /// <summary>The key as a plain Ed25519 public key.</summary>
    public Ed25519PublicKey Key => _key;

    /// <summary>The 32-byte Ed25519 encoding.</summary>
    public ReadOnlySpan<byte> Bytes => _key.Bytes;

    /// <summary>
    /// Accepts a blinded key received from the network (for example in a descriptor) only if it is a valid point of
    /// prime order; returns <see langword="false"/> otherwise.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> key, out BlindedPublicKey? blindedKey)
    {
        blindedKey = null;
        if (key.Length != Length || !Ed25519Arithmetic.IsValidPoint(key))
        {
            return false;
        }

        blindedKey = new BlindedPublicKey(key);
        return true;
    }

    /// <summary>Verifies a plain Ed25519 signature made with the matching <see cref="BlindedSigningKey"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => _key.Verify(message, signature);

    /// <inheritdoc/>
    public bool Equals(BlindedPublicKey? other) => other is not null && _key.Equals(other._key);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BlindedPublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => _key.GetHashCode();

    /// <summary>The key in lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_key.Bytes);

    /// <summary>
    /// A key this process derived as h·A or a'·B, which libsodium has just checked is not the identity: a non-zero
    /// multiple of a prime-order point is itself of prime order, so the subgroup check (a scalar multiplication by l)
    /// is not repeated.
    /// </summary>
    internal static BlindedPublicKey FromDerived(ReadOnlySpan<byte> key) =>
        key.Length == Length
            ? new BlindedPublicKey(key)
            : throw new ArgumentException("A blinded key is 32 bytes.", nameof(key));
}
