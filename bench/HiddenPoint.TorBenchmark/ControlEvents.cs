namespace HiddenPoint.TorBenchmark;

/// <summary>Reads the few control-port events and GETINFO values the benchmark waits on (control-spec §4.1, §3.9).</summary>
internal static class ControlEvents
{
    /// <summary>The PROGRESS of a bootstrap status (<c>NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"</c>), or -1.</summary>
    public static int BootstrapProgress(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var word in status.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith("PROGRESS=", StringComparison.Ordinal)
                && int.TryParse(word.AsSpan("PROGRESS=".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var progress)
                && progress <= 100)
            {
                return progress;
            }
        }

        return -1;
    }

    /// <summary>Reads a circuit event's text (<c>CIRC 12 BUILT $FP~nick,... PURPOSE=GENERAL</c>): its id and status.</summary>
    public static bool TryReadCircuit(string eventText, out string circuitId, out string status)
    {
        ArgumentNullException.ThrowIfNull(eventText);
        var words = eventText.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 3 && words[0] == "CIRC")
        {
            circuitId = words[1];
            status = words[2];
            return true;
        }

        circuitId = status = "";
        return false;
    }

    /// <summary>
    /// Whether an event's text says that an onion service descriptor was stored on an HSDir (<c>HS_DESC UPLOADED addr
    /// UNKNOWN $FP~nick ...</c>: the HSDir answered the upload with success; the earlier <c>HS_DESC UPLOAD</c> only
    /// announces the attempt).
    /// </summary>
    public static bool IsDescriptorUploaded(string eventText)
    {
        ArgumentNullException.ThrowIfNull(eventText);
        var words = eventText.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3 && words[0] == "HS_DESC" && words[1] == "UPLOADED";
    }

    /// <summary>Whether an event's text says that a NEWNYM signal took effect (<c>SIGNAL NEWNYM</c>).</summary>
    public static bool IsNewnymApplied(string eventText) => eventText == "SIGNAL NEWNYM";

    /// <summary>The circuit id of an EXTENDCIRCUIT reply's text (<c>EXTENDED 12</c>), or null.</summary>
    public static string? ExtendedCircuitId(string replyText)
    {
        ArgumentNullException.ThrowIfNull(replyText);
        var words = replyText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 2 && words[0] == "EXTENDED" ? words[1] : null;
    }

    /// <summary>
    /// The relay fingerprints (40 hex digits, without <c>$</c>) of the guards with status "up" in a GETINFO
    /// <c>entry-guards</c> value (lines of <c>$FP~nick up</c>, <c>$FP=nick never-connected</c>, ...), in their order.
    /// </summary>
    public static IReadOnlyList<string> UsableGuards(string entryGuards)
    {
        ArgumentNullException.ThrowIfNull(entryGuards);
        var guards = new List<string>();
        foreach (var line in entryGuards.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words[1] == "up" && words[0].Length >= 41 && words[0][0] == '$')
            {
                var fingerprint = words[0].Substring(1, 40);
                if (IsFingerprint(fingerprint))
                {
                    guards.Add(fingerprint);
                }
            }
        }

        return guards;
    }

    /// <summary>Whether <paramref name="text"/> is a relay fingerprint: 40 upper-case hex digits.</summary>
    public static bool IsFingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 40)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
