using System.Buffers.Binary;

namespace HiddenPoint.Protocol.Wire;

/// <summary>
/// A forward-only writer over a caller-owned span. Encoders are only ever fed values that their constructors
/// already validated, so running out of room is a programming error and throws <see cref="ArgumentException"/>.
/// </summary>
public ref struct WireWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Writes into <paramref name="buffer"/> from its start.</summary>
    public WireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>How many bytes have been written.</summary>
    public readonly int Written => _position;

    /// <summary>How many bytes of room are left.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer[.._position];

    /// <summary>Writes one byte.</summary>
    public void WriteU8(byte value)
    {
        Reserve(1)[0] = value;
    }

    /// <summary>Writes a big-endian 16-bit integer.</summary>
    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);
    }

    /// <summary>Writes a big-endian 32-bit integer.</summary>
    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
    }

    /// <summary>Writes <paramref name="bytes"/> as they are.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
    }

    /// <summary>Writes <paramref name="count"/> zero bytes.</summary>
    public void WriteZeros(int count)
    {
        Reserve(count).Clear();
    }

    /// <summary>Zero-fills the rest of the buffer.</summary>
    public void ZeroFillRest()
    {
        WriteZeros(Remaining);
    }

    /// <summary>Hands out the next <paramref name="count"/> bytes for the caller to fill in place.</summary>
    public Span<byte> Reserve(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ArgumentException("The encoding does not fit in the destination buffer.", nameof(count));
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}
