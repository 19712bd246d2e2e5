using System.Buffers;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Splits a document into lines and checks the syntax every line shares. Pure and allocation-free: the byte-class
/// check runs once over the whole document (vectorized), then each line is found with a vectorized LF search.
/// </summary>
internal ref struct DocumentReader
{
    /// <summary>No line of any document is longer (LF excluded).</summary>
    public const int MaxLineLength = 8192;

    /// <summary>No keyword is longer.</summary>
    public const int MaxKeywordLength = 32;

    // LF and printable ASCII: the only bytes a document may contain.
    private static readonly SearchValues<byte> s_allowed = SearchValues.Create(AllowedBytes());

    private readonly ReadOnlySpan<byte> _document;
    private int _position;

    private DocumentReader(ReadOnlySpan<byte> document)
    {
        _document = document;
        _position = 0;
        LineNumber = 0;
        LineStart = 0;
    }

    /// <summary>1-based number of the line last read (0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Offset of the first byte of the line last read.</summary>
    public int LineStart { get; private set; }

    /// <summary>Offset just past the LF of the line last read.</summary>
    public readonly int Position => _position;

    /// <summary>Checks the size limit, then the byte set and the final LF, before any line is read.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> document, int maxLength, out DocumentReader reader, out DocumentError error)
    {
        reader = default;
        if (document.Length > maxLength)
        {
            error = new DocumentError(DocumentErrorKind.TooLarge, 0, null);
            return false;
        }

        if (document.IsEmpty || document[^1] != (byte)'\n')
        {
            error = new DocumentError(DocumentErrorKind.Truncated, 0, null);
            return false;
        }

        var bad = document.IndexOfAnyExcept(s_allowed);
        if (bad >= 0)
        {
            error = new DocumentError(DocumentErrorKind.InvalidCharacter, 1 + document[..bad].Count((byte)'\n'), null);
            return false;
        }

        reader = new DocumentReader(document);
        error = default;
        return true;
    }

    /// <summary>True when every line has been read.</summary>
    public readonly bool AtEnd => _position >= _document.Length;

    /// <summary>
    /// Reads the next line. False with <see cref="DocumentErrorKind.MalformedLine"/> when its shape is wrong; at the
    /// end of the document the caller checks <see cref="AtEnd"/> first.
    /// </summary>
    public bool TryReadLine(out DocumentLine line, out DocumentError error)
    {
        line = default;
        LineStart = _position;
        LineNumber++;
        var rest = _document[_position..];
        var length = rest.IndexOf((byte)'\n'); // always found: the document ends with LF
        var text = rest[..length];
        _position += length + 1;
        if (length == 0 || length > MaxLineLength || text[0] == (byte)' ' || text[^1] == (byte)' ' ||
            text.IndexOf("  "u8) >= 0)
        {
            error = new DocumentError(DocumentErrorKind.MalformedLine, LineNumber, null);
            return false;
        }

        var space = text.IndexOf((byte)' ');
        var keyword = space < 0 ? text : text[..space];
        if (!IsKeyword(keyword))
        {
            error = new DocumentError(DocumentErrorKind.MalformedLine, LineNumber, null);
            return false;
        }

        var arguments = space < 0 ? default : text[(space + 1)..];
        line = new DocumentLine(keyword, arguments, arguments.IsEmpty ? 0 : arguments.Count((byte)' ') + 1);
        error = default;
        return true;
    }

    /// <summary>A keyword: a lowercase letter, then lowercase letters, digits and '-', not ending in '-'.</summary>
    private static bool IsKeyword(ReadOnlySpan<byte> keyword)
    {
        if (keyword.IsEmpty || keyword.Length > MaxKeywordLength || keyword[0] is < (byte)'a' or > (byte)'z' ||
            keyword[^1] == (byte)'-')
        {
            return false;
        }

        foreach (var b in keyword)
        {
            if (b is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] AllowedBytes()
    {
        var bytes = new byte[1 + 0x7E - 0x20 + 1];
        bytes[0] = (byte)'\n';
        for (var b = 0x20; b <= 0x7E; b++)
        {
            bytes[b - 0x20 + 1] = (byte)b;
        }

        return bytes;
    }
}

/// <summary>One line: a keyword and its space-separated arguments (none empty).</summary>
internal readonly ref struct DocumentLine
{
    public DocumentLine(ReadOnlySpan<byte> keyword, ReadOnlySpan<byte> arguments, int argumentCount)
    {
        Keyword = keyword;
        Arguments = arguments;
        ArgumentCount = argumentCount;
    }

    public ReadOnlySpan<byte> Keyword { get; }

    public ReadOnlySpan<byte> Arguments { get; }

    public int ArgumentCount { get; }

    public string KeywordString() => System.Text.Encoding.ASCII.GetString(Keyword);

    public ArgumentCursor Cursor() => new(Arguments);
}

/// <summary>Walks a line's arguments left to right.</summary>
internal ref struct ArgumentCursor
{
    private ReadOnlySpan<byte> _rest;

    public ArgumentCursor(ReadOnlySpan<byte> arguments) => _rest = arguments;

    /// <summary>The next argument; an empty span past the last one (arguments are never empty).</summary>
    public ReadOnlySpan<byte> Next()
    {
        var space = _rest.IndexOf((byte)' ');
        ReadOnlySpan<byte> argument;
        if (space < 0)
        {
            argument = _rest;
            _rest = default;
        }
        else
        {
            argument = _rest[..space];
            _rest = _rest[(space + 1)..];
        }

        return argument;
    }
}
