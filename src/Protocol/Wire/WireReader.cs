using System.Buffers.Binary;

namespace HiddenPoint.Protocol.Wire;

/// <summary>
/// A forward-only reader over hostile bytes. Every read is a <c>Try</c> method that leaves the position unchanged
/// and returns false when too few bytes remain; nothing here throws on input. Offsets reported in errors are
/// <see cref="Offset"/>, which includes the base offset given at construction so that a decoder of an inner field
/// can report positions relative to the outer structure.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private int _position;

    /// <summary>Reads <paramref name="buffer"/>; errors are reported at <paramref name="baseOffset"/> + position.</summary>
    public WireReader(ReadOnlySpan<byte> buffer, int baseOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        _buffer = buffer;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>The offset of the next unread byte, including the base offset.</summary>
    public readonly int Offset => _baseOffset + _position;

    /// <summary>How many bytes are left to read.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Reads one byte.</summary>
    public bool TryReadU8(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _buffer[_position];
        _position++;
        return true;
    }

    /// <summary>Reads a big-endian 16-bit integer.</summary>
    public bool TryReadU16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position, 2));
        _position += 2;
        return true;
    }

    /// <summary>
    /// Reads a big-endian 16-bit length and then that many bytes (the handshake data of CREATE2, EXTEND2 and
    /// EXTENDED2). A missing length is <see cref="DecodeErrorKind.Truncated"/>; a length beyond the input is
    /// <see cref="DecodeErrorKind.BadLength"/> at the length field, with <paramref name="tooLong"/> as its message.
    /// </summary>
    public bool TryReadU16Prefixed(string tooLong, out ReadOnlySpan<byte> bytes, out DecodeError error)
    {
        var lengthAt = Offset;
        if (!TryReadU16(out var length))
        {
            bytes = default;
            error = Truncated();
            return false;
        }

        if (!TryReadBytes(length, out bytes))
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, tooLong);
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    public bool TryReadU32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return true;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes as a view into the input (no copy).</summary>
    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }

        bytes = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Fills <paramref name="destination"/> from the input.</summary>
    public bool TryCopyTo(scoped Span<byte> destination)
    {
        if (!TryReadBytes(destination.Length, out var bytes))
        {
            return false;
        }

        bytes.CopyTo(destination);
        return true;
    }

    /// <summary>Returns every unread byte and leaves the reader at the end.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _buffer[_position..];
        _position = _buffer.Length;
        return rest;
    }

    /// <summary>Checks that the input is fully consumed: the last step of every message decoder.</summary>
    public readonly bool TryExpectEnd(out DecodeError error)
    {
        if (Remaining != 0)
        {
            error = new DecodeError(DecodeErrorKind.TrailingBytes, Offset, "bytes left after the last field");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Checks that every unread byte is zero and consumes them.</summary>
    public bool TryExpectZeroPadding(out DecodeError error)
    {
        var rest = _buffer[_position..];
        var firstNonZero = rest.IndexOfAnyExcept((byte)0);
        if (firstNonZero >= 0)
        {
            error = new DecodeError(DecodeErrorKind.NonZeroPadding, Offset + firstNonZero, "padding must be zero");
            return false;
        }

        _position = _buffer.Length;
        error = default;
        return true;
    }

    /// <summary>The error for a read that ran past the end, at the current offset.</summary>
    public readonly DecodeError Truncated() =>
        new(DecodeErrorKind.Truncated, Offset, "input ended before the structure was complete");
}
