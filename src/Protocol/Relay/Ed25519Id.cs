using System.Buffers.Binary;

namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// A relay's Ed25519 identity key as it appears in a link specifier (32 bytes). Only bytes: whether they are a
/// valid curve point is the handshake's question, not the parser's.
/// </summary>
public readonly struct Ed25519Id : IEquatable<Ed25519Id>
{
    /// <summary>Length of the key in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    /// <summary>Copies a 32-byte key; any other length throws.</summary>
    public Ed25519Id(ReadOnlySpan<byte> key)
    {
        if (key.Length != Length)
        {
            throw new ArgumentException("An Ed25519 identity is 32 bytes.", nameof(key));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(key);
        _b = BinaryPrimitives.ReadUInt64BigEndian(key[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(key[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(key[24..]);
    }

    /// <summary>Writes the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>The key as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public bool Equals(Ed25519Id other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ed25519Id other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    /// <summary>Equality.</summary>
    public static bool operator ==(Ed25519Id left, Ed25519Id right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Ed25519Id left, Ed25519Id right) => !left.Equals(right);
}
