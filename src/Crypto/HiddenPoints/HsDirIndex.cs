using System.Buffers.Binary;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// A position on the HSDir hash ring (rend-spec-v3 §2.2.3): a SHA3-256 digest, ordered as a 256-bit big-endian
/// number. Held as four words so that sorting a ring of thousands of relays neither allocates nor copies arrays.
/// </summary>
public readonly struct HsDirIndex : IEquatable<HsDirIndex>, IComparable<HsDirIndex>
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    /// <summary>The position whose 32-byte big-endian encoding is given.</summary>
    public HsDirIndex(ReadOnlySpan<byte> value)
    {
        if (value.Length != Length)
        {
            throw new ArgumentException("An HSDir index is 32 bytes.", nameof(value));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(value);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(value[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(value[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(value[24..]);
    }

    /// <summary>Writes the 32 bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException("An HSDir index is 32 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>Orders as the 256-bit big-endian numbers (memcmp order).</summary>
    public int CompareTo(HsDirIndex other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <inheritdoc/>
    public bool Equals(HsDirIndex other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HsDirIndex other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>The index in lower-case hex.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

#pragma warning disable CS1591 // The operators mean what CompareTo means.
    public static bool operator ==(HsDirIndex left, HsDirIndex right) => left.Equals(right);

    public static bool operator !=(HsDirIndex left, HsDirIndex right) => !left.Equals(right);

    public static bool operator <(HsDirIndex left, HsDirIndex right) => left.CompareTo(right) < 0;

    public static bool operator <=(HsDirIndex left, HsDirIndex right) => left.CompareTo(right) <= 0;

    public static bool operator >(HsDirIndex left, HsDirIndex right) => left.CompareTo(right) > 0;

    public static bool operator >=(HsDirIndex left, HsDirIndex right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}
