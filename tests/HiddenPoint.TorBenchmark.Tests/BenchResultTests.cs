using System.Text.Json;

namespace HiddenPoint.TorBenchmark.Tests;

public class BenchResultTests
{
    private static BenchResult Sample()
    {
        var result = new BenchResult(new DateTimeOffset(2026, 12, 7, 16, 30, 5, TimeSpan.FromHours(1)), "box, EPYC, 2 cores", quick: true);
        result.AddSample("bootstrap_s", 8.25);
        result.Add("bootstrap_s", 8.25);
        result.Add("rtt_ms_median", 0.1 + 0.2);
        result.AddSample("rtt_ms", 16.5);
        result.AddSample("rtt_ms", 17);
        return result;
    }

    [Fact]
    public void Json_has_the_schema_the_hpc_side_reads()
    {
        using var json = JsonDocument.Parse(Sample().ToJson());
        var root = json.RootElement;

        Assert.Equal(["system", "date", "machine", "quick", "figures", "samples"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("tor", root.GetProperty("system").GetString());
        Assert.Equal("2026-12-07T15:30:05Z", root.GetProperty("date").GetString());
        Assert.Equal("box, EPYC, 2 cores", root.GetProperty("machine").GetString());
        Assert.True(root.GetProperty("quick").GetBoolean());
        Assert.Equal(8.25, root.GetProperty("figures").GetProperty("bootstrap_s").GetDouble());
        Assert.Equal(0.3, root.GetProperty("figures").GetProperty("rtt_ms_median").GetDouble());
        var samples = root.GetProperty("samples");
        Assert.Equal(["bootstrap_s", "circuit_build_ms", "onion_connect_ms", "rtt_ms"], samples.EnumerateObject().Select(p => p.Name));
        Assert.Equal([16.5, 17.0], samples.GetProperty("rtt_ms").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Empty(samples.GetProperty("circuit_build_ms").EnumerateArray());
    }

    [Fact]
    public void Text_lines_are_prefixed_invariant_and_between_markers()
    {
        Assert.Equal(
            "==== tor-bench results ====\ntor.bootstrap_s=8.25\ntor.rtt_ms_median=0.3\n==== end ====\n",
            Sample().ToTextLines());
    }

    [Fact]
    public void A_figure_is_recorded_once_and_must_be_finite()
    {
        var result = Sample();

        Assert.Throws<ArgumentException>(() => result.Add("bootstrap_s", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => result.Add("bulk_MBps", double.NaN));
        Assert.Throws<ArgumentException>(() => result.AddSample("bulk_MBps", 1));
    }
}
