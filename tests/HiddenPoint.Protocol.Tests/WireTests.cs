using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

public class WireTests
{
    [Fact]
    public void Reader_reads_big_endian_and_tracks_offset()
    {
        var reader = new WireReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], baseOffset: 100);
        Assert.True(reader.TryReadU8(out var a));
        Assert.True(reader.TryReadU16(out var b));
        Assert.True(reader.TryReadU32(out var c));
        Assert.Equal(0x01, a);
        Assert.Equal(0x0203, b);
        Assert.Equal(0x04050607u, c);
        Assert.Equal(107, reader.Offset);
        Assert.False(reader.TryExpectEnd(out var error));
        Assert.Equal(new DecodeError(DecodeErrorKind.TrailingBytes, 107, error.Message), error);
    }

    [Fact]
    public void Failed_read_leaves_position_and_reports_truncation_at_it()
    {
        var reader = new WireReader([0x01, 0x02, 0x03]);
        Assert.True(reader.TryReadU8(out _));
        Assert.False(reader.TryReadU32(out _));
        Assert.Equal(1, reader.Offset);
        Assert.False(reader.TryReadBytes(3, out _));
        Assert.False(reader.TryReadBytes(-1, out _));
        Assert.True(reader.TryReadBytes(2, out var rest));
        Assert.Equal([0x02, 0x03], rest.ToArray());
        Assert.False(reader.TryReadU8(out _));
        var error = reader.Truncated();
        Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
        Assert.Equal(3, error.Offset);
        Assert.True(reader.TryExpectEnd(out _));
    }

    [Fact]
    public void Zero_padding_check_reports_first_non_zero_byte()
    {
        var reader = new WireReader([0x09, 0x00, 0x00, 0x07, 0x00]);
        Assert.True(reader.TryReadU8(out _));
        Assert.False(reader.TryExpectZeroPadding(out var error));
        Assert.Equal(DecodeErrorKind.NonZeroPadding, error.Kind);
        Assert.Equal(3, error.Offset);
    }

    [Fact]
    public void Writer_writes_big_endian_and_refuses_overflow()
    {
        var buffer = new byte[7];
        var writer = new WireWriter(buffer);
        writer.WriteU8(0xAA);
        writer.WriteU16(0x0102);
        writer.WriteU32(0x03040506);
        Assert.Equal(7, writer.Written);
        Assert.Equal([0xAA, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06], buffer);
        var threw = false;
        try
        {
            writer.WriteU8(0);
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.True(threw);
    }
}
