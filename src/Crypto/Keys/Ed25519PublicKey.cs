using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// An Ed25519 public key (32 bytes, RFC 8032 encoding). A plain value: the role it plays is given by the type that
/// wraps it (<see cref="RelayId"/>, <see cref="AuthorityId"/>, a hidden point's identity).
/// </summary>
public readonly struct Ed25519PublicKey : IEquatable<Ed25519PublicKey>
{
    /// <summary>Length of the encoded key.</summary>
    public const int Length = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureLength = 64;

    // Inline, so a key is a plain value that costs no allocation; never exposed writable, so it cannot change once made.
    private readonly Bytes32 _bytes;

    private Ed25519PublicKey(ReadOnlySpan<byte> bytes) => bytes.CopyTo(_bytes);

    /// <summary>The encoded key (all zeros for the default value, which no key agreement or signature accepts).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>
    /// Takes 32 bytes as an Ed25519 public key. Whether they decode to a curve point is checked when a signature is
    /// verified (a key that is not a point verifies nothing).
    /// </summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public static Ed25519PublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An Ed25519 public key is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new Ed25519PublicKey(bytes);
    }

    /// <summary>Checks an Ed25519 signature over <paramref name="data"/> made by this key.</summary>
    /// <returns>False for a bad signature, a signature of the wrong length, or a key that is not a curve point.</returns>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength ||
            !PublicKey.TryImport(SignatureAlgorithm.Ed25519, Bytes, KeyBlobFormat.RawPublicKey, out var publicKey) ||
            publicKey is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(publicKey, data, signature);
    }

    /// <inheritdoc/>
    public bool Equals(Ed25519PublicKey other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ed25519PublicKey other && Equals(other);

    /// <summary>
    /// A per-process keyed hash (<see cref="HashCode"/> is seeded at random), because tables keyed by keys that
    /// peers choose must not be open to collision flooding.
    /// </summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Base64 without padding, as documents print keys.</summary>
    public override string ToString() => Convert.ToBase64String(Bytes).TrimEnd('=');

#pragma warning disable CS1591 // Operators of an equatable value.
    public static bool operator ==(Ed25519PublicKey left, Ed25519PublicKey right) => left.Equals(right);

    public static bool operator !=(Ed25519PublicKey left, Ed25519PublicKey right) => !left.Equals(right);
#pragma warning restore CS1591
}
