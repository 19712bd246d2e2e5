using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Writes document lines into a growing buffer. Used by the builders only: arguments come from our own, already
/// validated values, so a bad one is a bug and throws.
/// </summary>
internal sealed class DocumentWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;
    private bool _lineOpen;

    public DocumentWriter(int initialCapacity = 4096) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public DocumentWriter Keyword(string keyword)
    {
        if (_lineOpen)
        {
            throw new InvalidOperationException("The previous line was not ended.");
        }

        _lineOpen = true;
        return Ascii(keyword);
    }

    public DocumentWriter Argument(string text)
    {
        if (text.Length == 0 || text.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException("A document argument is non-empty and has no spaces.", nameof(text));
        }

        Byte((byte)' ');
        return Ascii(text);
    }

    public DocumentWriter Argument(ReadOnlySpan<byte> text)
    {
        Byte((byte)' ');
        _buffer.Write(text);
        return this;
    }

    public DocumentWriter Argument(ulong value)
    {
        Byte((byte)' ');
        var span = _buffer.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _buffer.Advance(written);
        return this;
    }

    /// <summary>Two arguments: <c>YYYY-MM-DD HH:MM:SS</c>.</summary>
    public DocumentWriter Time(DateTimeOffset time)
    {
        Byte((byte)' ');
        return Ascii(DocumentValues.FormatTime(time));
    }

    public DocumentWriter Base64(ReadOnlySpan<byte> bytes, bool leadingSpace = true)
    {
        if (leadingSpace)
        {
            Byte((byte)' ');
        }

        var length = System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length);
        var span = _buffer.GetSpan(length);
        System.Buffers.Text.Base64.EncodeToUtf8(bytes, span, out _, out var written);
        while (written > 0 && span[written - 1] == (byte)'=')
        {
            written--;
        }

        _buffer.Advance(written);
        return this;
    }

    public DocumentWriter Address(RelayAddress address)
    {
        if (address.Address is null)
        {
            throw new ArgumentException("An address is required.", nameof(address));
        }

        return Argument(address.ToString());
    }

    public void EndLine()
    {
        Byte((byte)'\n');
        _lineOpen = false;
    }

    /// <summary>Checks that a time fits the document time format exactly (whole seconds, years 2000–9999).</summary>
    public static void RequireDocumentTime(DateTimeOffset time, string name)
    {
        var utc = time.UtcDateTime;
        if (utc.Ticks % TimeSpan.TicksPerSecond != 0 || utc.Year is < DocumentValues.MinYear or > DocumentValues.MaxYear)
        {
            throw new ArgumentException(
                $"{name} must be whole seconds between the years {DocumentValues.MinYear} and {DocumentValues.MaxYear} " +
                "(see DocumentTime.FloorToSecond).", name);
        }
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private DocumentWriter Ascii(string text)
    {
        var span = _buffer.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException("Documents hold printable ASCII only.", nameof(text));
            }

            span[i] = (byte)c;
        }

        _buffer.Advance(text.Length);
        return this;
    }

    private void Byte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }
}

/// <summary>Helpers for the times documents carry (UTC, whole seconds).</summary>
public static class DocumentTime
{
    /// <summary>The time rounded down to a whole second, as documents can state it.</summary>
    public static DateTimeOffset FloorToSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>The document spelling, <c>YYYY-MM-DD HH:MM:SS</c>.</summary>
    public static string Format(DateTimeOffset time) => DocumentValues.FormatTime(time);

    /// <summary>Parses the document spelling; false for anything else.</summary>
    public static bool TryParse(string text, out DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(text);
        time = default;
        if (text.Length != 19 || text[10] != ' ' || text.Any(c => c > 0x7E))
        {
            return false;
        }

        var bytes = Encoding.ASCII.GetBytes(text);
        return DocumentValues.TryParseTime(bytes.AsSpan(0, 10), bytes.AsSpan(11), out time);
    }
}
