using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// A Curve25519 (X25519) public key: a relay's ntor onion key <c>KP_ntor</c> (B), a service's introduction
/// encryption key <c>KP_hss_ntor</c> (B), or a handshake's ephemeral X or Y. Public data; any 32 bytes are
/// accepted here and a point of small order is caught when it is used in a key agreement.
/// </summary>
public readonly struct Curve25519PublicKey : IEquatable<Curve25519PublicKey>
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Length = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Wraps the 32-byte encoding.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes.</exception>
    public Curve25519PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("A Curve25519 public key is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The 32-byte encoding.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Copies the encoding to the first 32 bytes of <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => ((ReadOnlySpan<byte>)_bytes).CopyTo(destination);

    /// <summary>The encoding as a new array.</summary>
    public byte[] ToArray() => ((ReadOnlySpan<byte>)_bytes).ToArray();

    /// <inheritdoc/>
    public bool Equals(Curve25519PublicKey other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Curve25519PublicKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Lowercase hex, for diagnostics (public keys only).</summary>
    public override string ToString() => Convert.ToHexStringLower(Bytes);

    /// <summary>Equality of encodings.</summary>
    public static bool operator ==(Curve25519PublicKey left, Curve25519PublicKey right) => left.Equals(right);

    /// <summary>Inequality of encodings.</summary>
    public static bool operator !=(Curve25519PublicKey left, Curve25519PublicKey right) => !left.Equals(right);
}
