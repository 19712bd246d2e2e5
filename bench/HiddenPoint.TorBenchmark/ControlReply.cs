namespace HiddenPoint.TorBenchmark;

/// <summary>Why a line from a tor control port was refused (control-spec §2.3).</summary>
internal enum ControlLineError
{
    None,
    TooShort,
    StatusNotDigits,
    UnknownSeparator,
}

/// <summary>How a reply line goes on: more lines follow (<c>-</c>), a data block follows (<c>+</c>), or the reply ends (space).</summary>
internal enum ControlLineKind
{
    Mid,
    Data,
    End,
}

/// <summary>One line of a control-port reply: a three-digit status, its kind and its text.</summary>
internal readonly record struct ControlLine(int Status, ControlLineKind Kind, string Text)
{
    /// <summary>Reads <c>"250-key=value"</c>, <c>"250+key="</c> or <c>"650 CIRC 1 BUILT ..."</c> (without its CRLF).</summary>
    public static bool TryParse(string line, out ControlLine parsed, out ControlLineError error)
    {
        ArgumentNullException.ThrowIfNull(line);
        parsed = default;
        if (line.Length < 4)
        {
            error = ControlLineError.TooShort;
            return false;
        }

        if (!char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
        {
            error = ControlLineError.StatusNotDigits;
            return false;
        }

        ControlLineKind kind;
        switch (line[3])
        {
            case '-':
                kind = ControlLineKind.Mid;
                break;
            case '+':
                kind = ControlLineKind.Data;
                break;
            case ' ':
                kind = ControlLineKind.End;
                break;
            default:
                error = ControlLineError.UnknownSeparator;
                return false;
        }

        var status = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        parsed = new ControlLine(status, kind, line[4..]);
        error = ControlLineError.None;
        return true;
    }
}

/// <summary>A whole reply: the final status and the text of every line, data blocks included (one entry per data line).</summary>
internal sealed record ControlReply(int Status, IReadOnlyList<string> Lines)
{
    /// <summary>Whether the status is 250 (OK).</summary>
    public bool IsOk => Status == 250;

    /// <summary>Whether this is an asynchronous event (status 650) rather than the answer to a command.</summary>
    public bool IsEvent => Status == 650;

    /// <summary>The value of <c>key=value</c> in a GETINFO reply, with a data block's lines joined by '\n'; null when absent.</summary>
    public string? Value(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var prefix = key + "=";
        foreach (var line in Lines)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Status} {string.Join(" | ", Lines)}";
}

/// <summary>
/// Puts lines from a control port together into replies: lines up to one with a space after the status, and the lines of
/// a data block (after a <c>+</c> line, up to a lone <c>.</c>, with a leading <c>..</c> unescaped to <c>.</c>). A data
/// block's first line is its key (<c>key=</c>); its lines are added to that entry joined by '\n'.
/// </summary>
internal sealed class ControlReplyAssembler
{
    private readonly List<string> _lines = [];
    private bool _inData;
    private bool _firstDataLine;

    /// <summary>Takes the next line (without CRLF); returns the reply it completes, or null while one is under way.</summary>
    /// <exception cref="TorBenchmarkException">The line is not a control-port line.</exception>
    public ControlReply? Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (_inData)
        {
            if (line == ".")
            {
                _inData = false;
            }
            else
            {
                var data = line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line;
                var last = _lines.Count - 1;
                _lines[last] = _firstDataLine ? _lines[last] + data : _lines[last] + "\n" + data;
                _firstDataLine = false;
            }

            return null;
        }

        if (!ControlLine.TryParse(line, out var parsed, out var error))
        {
            throw new TorBenchmarkException($"Control port sent a line that is not a reply line ({error}): {line}");
        }

        _lines.Add(parsed.Text);
        switch (parsed.Kind)
        {
            case ControlLineKind.Data:
                _inData = true;
                _firstDataLine = true;
                return null;
            case ControlLineKind.Mid:
                return null;
            default:
                var reply = new ControlReply(parsed.Status, [.. _lines]);
                _lines.Clear();
                return reply;
        }
    }
}
