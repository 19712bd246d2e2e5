using System.Globalization;

namespace HiddenPoint.Crypto.Tests.Cgo;

/// <summary>One vector of a cgo*.txt file: its name and its fields in file order.</summary>
internal sealed record CgoVector(string Section, string Name, int Line, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>A field's value; fails when the vector lacks it.</summary>
    public string Text(string key) =>
        Fields.TryGetValue(key, out var value)
            ? value
            : throw new FormatException($"line {Line}: vector '{Name}' in {Section} has no field '{key}'.");

    public byte[] Hex(string key, int expectedLength = -1)
    {
        var bytes = Convert.FromHexString(Text(key));
        if (expectedLength >= 0 && bytes.Length != expectedLength)
        {
            throw new FormatException($"line {Line}: field '{key}' of '{Name}' is {bytes.Length} bytes, expected {expectedLength}.");
        }

        return bytes;
    }

    public bool Bool(string key) => Text(key) switch
    {
        "True" => true,
        "False" => false,
        var other => throw new FormatException($"line {Line}: field '{key}' of '{Name}' is '{other}', not True/False."),
    };

    public int Int(string key) => int.Parse(Text(key), NumberStyles.None, CultureInfo.InvariantCulture);

    public override string ToString() => $"{Section} '{Name}' (line {Line})";
}

/// <summary>
/// Parser for the CGO vector format (tests/vectors/cgo.txt): '#' header lines, "ARRAY NAME" section headings framed
/// by lines of '=', "--- vector: name" openers, and "label (description) = value" fields. The key of a field is its
/// label up to the first " (" (the description may itself contain " = ", so the value starts after the last one).
/// Anything else is a format error: a file that cannot be parsed fails its test.
/// </summary>
internal static class CgoVectorFile
{
    public static IReadOnlyList<CgoVector> Parse(string path)
    {
        var vectors = new List<CgoVector>();
        string? section = null;
        string? name = null;
        var nameLine = 0;
        Dictionary<string, string>? fields = null;
        var lineNumber = 0;

        void Flush()
        {
            if (fields is not null)
            {
                if (fields.Count == 0)
                {
                    throw new FormatException($"{path}:{nameLine}: vector '{name}' has no fields.");
                }

                vectors.Add(new CgoVector(section!, name!, nameLine, fields));
                fields = null;
            }
        }

        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.Trim('=').Length == 0)
            {
                continue;
            }

            if (line.StartsWith("ARRAY ", StringComparison.Ordinal))
            {
                Flush();
                section = line["ARRAY ".Length..].Trim();
                if (section.Length == 0)
                {
                    throw new FormatException($"{path}:{lineNumber}: section without a name.");
                }

                continue;
            }

            if (line.StartsWith("--- vector:", StringComparison.Ordinal))
            {
                Flush();
                if (section is null)
                {
                    throw new FormatException($"{path}:{lineNumber}: vector outside any ARRAY section.");
                }

                name = line["--- vector:".Length..].Trim();
                nameLine = lineNumber;
                fields = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }

            var separator = line.LastIndexOf(" = ", StringComparison.Ordinal);
            if (separator < 0 || fields is null)
            {
                throw new FormatException($"{path}:{lineNumber}: cannot parse '{Shorten(line)}'.");
            }

            var label = line[..separator];
            var paren = label.IndexOf(" (", StringComparison.Ordinal);
            var key = (paren < 0 ? label : label[..paren]).Trim();
            var value = line[(separator + 3)..].Trim();
            if (key.Length == 0 || value.Length == 0 || !fields.TryAdd(key, value))
            {
                throw new FormatException($"{path}:{lineNumber}: empty or repeated field '{Shorten(line)}'.");
            }
        }

        Flush();
        if (vectors.Count == 0)
        {
            throw new FormatException($"{path}: no vectors.");
        }

        return vectors;
    }

    private static string Shorten(string line) => line.Length > 80 ? line[..80] + "..." : line;
}
