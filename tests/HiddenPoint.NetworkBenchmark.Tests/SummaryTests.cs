using HiddenPoint.NetworkBenchmark;

namespace HiddenPoint.NetworkBenchmark.Tests;

/// <summary>The summaries, the number format and the results file the figures are printed and saved with.</summary>
public sealed class SummaryTests
{
    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void Median_is_the_middle_sample_or_the_mean_of_the_two_middle_ones(double[] samples, double median) =>
        Assert.Equal(median, Statistics.Median(samples));

    [Fact]
    public void P99_of_200_samples_is_the_198th_smallest()
    {
        var samples = Enumerable.Range(1, 200).Select(i => (double)i).Reverse().ToArray();
        Assert.Equal(198, Statistics.Percentile(samples, 99));
        Assert.Equal(200, Statistics.Percentile(samples, 100));
        Assert.Equal(1, Statistics.Percentile([1.0], 99));
    }

    [Theory]
    [InlineData(0.00918234, "0.009182")]
    [InlineData(16.04567, "16.05")]
    [InlineData(5432.9, "5433")]
    [InlineData(123456.7, "123457")]
    [InlineData(0.1, "0.1")]
    public void Figures_print_with_four_significant_digits_and_no_exponent(double value, string text) =>
        Assert.Equal(text, BenchResults.Format(value));

    [Fact]
    public void A_results_file_reads_back_as_written()
    {
        using var folder = new PrivateTempFolder("hpc-netbench-test-");
        var path = Path.Combine(folder.Path, "nested", "hpc.json");
        var written = new BenchResults { System = "hpc", Machine = "m", Quick = true };
        written.Figures["rtt_ms_median"] = 1.5;
        written.Figures["bootstrap_s"] = 9;
        written.Samples["rtt_ms"] = [1, 1.5, 2];

        written.Write(path);
        var read = BenchResults.Read(path);

        Assert.Equal("hpc", read.System);
        Assert.True(read.Quick);
        Assert.Equal("m", read.Machine);
        Assert.Equal(written.Figures, read.Figures);
        Assert.Equal([1, 1.5, 2], read.Samples["rtt_ms"]);
        Assert.Equal(["bootstrap_s", "rtt_ms_median"], read.OrderedFigures().Select(f => f.Key));
    }

    [Fact]
    public void The_block_lists_figures_in_the_definitions_order()
    {
        var results = new BenchResults();
        results.Figures["messages_per_s"] = 1;
        results.Figures["bootstrap_s"] = 2;
        results.Figures["rtt_ms_p99"] = 3;
        using var output = new StringWriter();

        results.WriteLines(output, "hpc");

        Assert.Equal(["hpc.bootstrap_s=2", "hpc.rtt_ms_p99=3", "hpc.messages_per_s=1"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
