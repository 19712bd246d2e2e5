using System.Globalization;
using System.Text.Json;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// One system's figures and raw samples, as the JSON file both network benchmarks (this one and
/// bench/HiddenPoint.TorBenchmark) write: <c>{"system", "date", "machine", "quick", "figures": {key: number},
/// "samples": {key: [numbers]}}</c>.
/// </summary>
internal sealed class BenchResults
{
    /// <summary>The figures in the order of docs/benchmarks.md; others follow in name order.</summary>
    public static readonly string[] FigureOrder =
    [
        "bootstrap_s", "hs_publish_s", "client_join_s", "circuit_build_ms_median", "onion_connect_ms_median",
        "rtt_ms_median", "rtt_ms_p99", "bulk_MBps", "relay_cpu_s_per_MB", "relay_cpu_s_per_MB_per_hop", "relay_rss_MB",
        "messages_per_s",
    ];

    public const string BlockStart = "==== hpc-bench results ====";
    public const string BlockEnd = "==== end ====";

    public string System { get; init; } = "hpc";

    public DateTimeOffset Date { get; init; } = DateTimeOffset.UtcNow;

    public string Machine { get; init; } = "";

    public bool Quick { get; init; }

    public Dictionary<string, double> Figures { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<double>> Samples { get; } = new(StringComparer.Ordinal);

    /// <summary>The figures in print order.</summary>
    public IEnumerable<KeyValuePair<string, double>> OrderedFigures() =>
        Figures.OrderBy(f => Array.IndexOf(FigureOrder, f.Key) is var i and >= 0 ? i : FigureOrder.Length).ThenBy(f => f.Key, StringComparer.Ordinal);

    /// <summary><c>prefix.key=value</c> for every figure, invariant culture.</summary>
    public void WriteLines(TextWriter output, string prefix)
    {
        foreach (var (key, value) in OrderedFigures())
        {
            output.WriteLine($"{prefix}.{key}={Format(value)}");
        }
    }

    /// <summary>Four significant digits, no exponent, invariant culture.</summary>
    public static string Format(double value)
    {
        if (value == 0 || double.IsNaN(value) || double.IsInfinity(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        var digits = Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 12);
        return Math.Round(value, digits).ToString("0.############", CultureInfo.InvariantCulture);
    }

    public void Write(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("system", System);
        json.WriteString("date", Date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("machine", Machine);
        json.WriteBoolean("quick", Quick);
        json.WriteStartObject("figures");
        foreach (var (key, value) in OrderedFigures())
        {
            json.WriteNumber(key, value);
        }

        json.WriteEndObject();
        json.WriteStartObject("samples");
        foreach (var (key, values) in Samples.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(key);
            foreach (var value in values)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Reads a results file; throws <see cref="BenchmarkException"/> naming the file and the field that is wrong.</summary>
    public static BenchResults Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new BenchmarkException($"{path}: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("system", out var system) || system.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("figures", out var figures) || figures.ValueKind != JsonValueKind.Object)
            {
                throw new BenchmarkException($"{path}: not a benchmark results file (needs \"system\" and \"figures\").");
            }

            var results = new BenchResults
            {
                System = system.GetString()!,
                Date = root.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String && date.TryGetDateTimeOffset(out var when) ? when : default,
                Machine = root.TryGetProperty("machine", out var machine) && machine.ValueKind == JsonValueKind.String ? machine.GetString()! : "",
                Quick = root.TryGetProperty("quick", out var quick) && quick.ValueKind == JsonValueKind.True,
            };
            foreach (var figure in figures.EnumerateObject())
            {
                if (figure.Value.ValueKind != JsonValueKind.Number)
                {
                    throw new BenchmarkException($"{path}: figures.{figure.Name} is not a number.");
                }

                results.Figures[figure.Name] = figure.Value.GetDouble();
            }

            if (root.TryGetProperty("samples", out var samples) && samples.ValueKind == JsonValueKind.Object)
            {
                foreach (var series in samples.EnumerateObject())
                {
                    if (series.Value.ValueKind != JsonValueKind.Array || series.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                    {
                        throw new BenchmarkException($"{path}: samples.{series.Name} is not an array of numbers.");
                    }

                    results.Samples[series.Name] = [.. series.Value.EnumerateArray().Select(v => v.GetDouble())];
                }
            }

            return results;
        }
    }
}
