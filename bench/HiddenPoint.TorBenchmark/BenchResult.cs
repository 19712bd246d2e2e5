using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// The figures of one run, in the schema the hpc side's benchmark reads to print both systems side by side:
/// <c>{"system":"tor","date":"ISO-8601","machine":"...","quick":bool,"figures":{"key":number,...},
/// "samples":{"bootstrap_s":[...],"circuit_build_ms":[...],"onion_connect_ms":[...],"rtt_ms":[...]}}</c>.
/// </summary>
internal sealed class BenchResult
{
    /// <summary>The keys of <see cref="Samples"/>, in the order they are written.</summary>
    public static readonly IReadOnlyList<string> SampleKeys = ["bootstrap_s", "circuit_build_ms", "onion_connect_ms", "rtt_ms"];

    private readonly List<KeyValuePair<string, double>> _figures = [];
    private readonly Dictionary<string, List<double>> _samples = SampleKeys.ToDictionary(k => k, _ => new List<double>());

    public BenchResult(DateTimeOffset date, string machine, bool quick)
    {
        Date = date;
        Machine = machine;
        Quick = quick;
    }

    /// <summary>When the run started.</summary>
    public DateTimeOffset Date { get; }

    /// <summary>What the run ran on (host name, CPU model, cores).</summary>
    public string Machine { get; }

    /// <summary>Whether this was a <c>--quick</c> run.</summary>
    public bool Quick { get; }

    /// <summary>The figures in the order they were measured.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Figures => _figures;

    /// <summary>The raw samples behind the medians.</summary>
    public IReadOnlyDictionary<string, List<double>> Samples => _samples;

    /// <summary>Records a figure (a key may be given once).</summary>
    public void Add(string key, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_figures.Exists(f => f.Key == key))
        {
            throw new ArgumentException($"Figure {key} was already recorded.", nameof(key));
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Figure {key} is not a finite number.");
        }

        _figures.Add(new(key, value));
    }

    /// <summary>Records one sample of <paramref name="key"/> (one of <see cref="SampleKeys"/>).</summary>
    public void AddSample(string key, double value)
    {
        if (!_samples.TryGetValue(key, out var values))
        {
            throw new ArgumentException($"{key} is not a sample series.", nameof(key));
        }

        values.Add(value);
    }

    /// <summary>The JSON document (UTF-8, indented).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("system", "tor");
            json.WriteString("date", Date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("machine", Machine);
            json.WriteBoolean("quick", Quick);
            json.WriteStartObject("figures");
            foreach (var (key, value) in _figures)
            {
                json.WriteNumber(key, Round(value));
            }

            json.WriteEndObject();
            json.WriteStartObject("samples");
            foreach (var key in SampleKeys)
            {
                json.WriteStartArray(key);
                foreach (var value in _samples[key])
                {
                    json.WriteNumberValue(Round(value));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The <c>tor.key=value</c> lines (invariant culture) between the markers the hpc side prints too.</summary>
    public string ToTextLines()
    {
        var text = new StringBuilder();
        text.Append("==== tor-bench results ====\n");
        foreach (var (key, value) in _figures)
        {
            text.Append("tor.").Append(key).Append('=').Append(Round(value).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append("==== end ====\n");
        return text.ToString();
    }

    /// <summary>Six decimals: below any figure's precision, and no binary noise (0.1 + 0.2) in the output.</summary>
    private static double Round(double value) => Math.Round(value, 6, MidpointRounding.AwayFromZero);
}
