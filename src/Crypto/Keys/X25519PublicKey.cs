using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// An X25519 public key (32 bytes, RFC 7748 u-coordinate). A plain value: the role it plays is given by the type
/// that wraps it (<see cref="LinkPublicKey"/>, <see cref="CircuitHandshakePublicKey"/>, <see cref="HsIntroEncryptionPublicKey"/>).
/// </summary>
public readonly struct X25519PublicKey : IEquatable<X25519PublicKey>
{
    /// <summary>Length of the encoded key.</summary>
    public const int Length = 32;

    // Inline, so a key is a plain value that costs no allocation; never exposed writable, so it cannot change once made.
    private readonly Bytes32 _bytes;

    private X25519PublicKey(ReadOnlySpan<byte> bytes) => bytes.CopyTo(_bytes);

    /// <summary>The encoded key (all zeros for the default value, which no key agreement or signature accepts).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>
    /// Takes 32 bytes as an X25519 public key. Every 32-byte string is a u-coordinate; a low-order one is caught
    /// where it is used, by the key agreement returning no secret.
    /// </summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public static X25519PublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An X25519 public key is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new X25519PublicKey(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(X25519PublicKey other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is X25519PublicKey other && Equals(other);

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
    public static bool operator ==(X25519PublicKey left, X25519PublicKey right) => left.Equals(right);

    public static bool operator !=(X25519PublicKey left, X25519PublicKey right) => !left.Equals(right);
#pragma warning restore CS1591
}
