using System.Globalization;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>
/// Reads the published handshake vector files: <c># comment</c> lines, blank lines, and <c>name = hex</c> lines
/// (the separator is the last " = ", since names such as <c>MAC(key="who" 77686f, ...)</c> contain '=').
/// Blank lines separate blocks; inside a block a name seen again starts a new record, so a file can hold any
/// number of vectors. Anything else fails the test: a file that cannot be parsed is never skipped.
/// </summary>
internal static class KeyValueVectors
{
    public static IReadOnlyList<VectorRecord> Read(string fileName)
    {
        var path = Vectors.VectorFiles.PathOf(fileName);
        var records = new List<VectorRecord>();
        VectorRecord? current = null;
        var lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.Length == 0)
            {
                current = null;
                continue;
            }

            var separator = line.LastIndexOf(" = ", StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException($"{fileName}:{lineNumber}: expected 'name = hex'.");
            }

            var name = line[..separator].Trim();
            var hex = line[(separator + 3)..].Trim();
            byte[] value;
            try
            {
                value = Convert.FromHexString(hex);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{fileName}:{lineNumber}: value of '{name}' is not hex.", e);
            }

            if (current is null || current.Has(name))
            {
                current = new VectorRecord($"{fileName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}");
                records.Add(current);
            }

            current.Add(name, value);
        }

        if (records.Count == 0)
        {
            throw new FormatException($"{fileName}: no vectors.");
        }

        return records;
    }
}

/// <summary>One vector: named byte strings. Tests take every value they check, then assert none was left unchecked.</summary>
internal sealed class VectorRecord(string origin)
{
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public string Origin { get; } = origin;

    public IEnumerable<string> Names => _values.Keys;

    public bool Has(string name) => _values.ContainsKey(name);

    public void Add(string name, byte[] value) => _values.Add(name, value);

    public byte[] Get(string name)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            throw new FormatException($"{Origin}: vector lacks '{name}'.");
        }

        _used.Add(name);
        return value;
    }

    public void AssertAllUsed()
    {
        foreach (var name in _values.Keys)
        {
            Assert.True(_used.Contains(name), $"{Origin}: '{name}' was not checked by any test.");
        }
    }
}
