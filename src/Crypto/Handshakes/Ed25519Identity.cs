using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// A relay's Ed25519 identity key <c>KP_relayid_ed</c> as 32 bytes: the ID that ntor v3 binds into every
/// handshake, so that a client's message is accepted only by the relay it meant.
/// </summary>
public readonly struct Ed25519Identity : IEquatable<Ed25519Identity>
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Length = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Wraps the 32-byte encoded public key.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes.</exception>
    public Ed25519Identity(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("An Ed25519 identity is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The 32-byte encoding.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The encoding as a new array.</summary>
    public byte[] ToArray() => ((ReadOnlySpan<byte>)_bytes).ToArray();

    /// <inheritdoc/>
    public bool Equals(Ed25519Identity other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ed25519Identity other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Bytes);

    /// <summary>Equality of encodings.</summary>
    public static bool operator ==(Ed25519Identity left, Ed25519Identity right) => left.Equals(right);

    /// <summary>Inequality of encodings.</summary>
    public static bool operator !=(Ed25519Identity left, Ed25519Identity right) => !left.Equals(right);
}
