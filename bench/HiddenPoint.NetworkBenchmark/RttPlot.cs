using ScottPlot;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// The round-trip distributions of hpc and Tor side by side: the empirical CDF of each system's 100-byte echo round
/// trips on a log-scaled time axis (the two differ by an order of magnitude), medians and p99 marked in the legend.
/// </summary>
internal static class RttPlot
{
    private const int Width = 1000;
    private const int Height = 560;

    /// <summary>Writes the PNG and returns its full path.</summary>
    public static string Write(string path, IReadOnlyCollection<double> hpc, IReadOnlyCollection<double> tor, string caption)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var plot = new Plot();
        AddCdf(plot, "hpc", hpc, Colors.RoyalBlue);
        AddCdf(plot, "Tor", tor, Colors.OrangeRed);

        // Log-scaled x: the data are log10(ms), the ticks are labelled in ms.
        var ticks = new ScottPlot.TickGenerators.LogMinorTickGenerator();
        var major = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = ticks,
            IntegerTicksOnly = true,
            LabelFormatter = v => FormatMilliseconds(Math.Pow(10, v)),
        };
        plot.Axes.Bottom.TickGenerator = major;
        plot.XLabel("round trip of 100 bytes (ms, log scale)");
        plot.YLabel("fraction of round trips ≤ x");
        plot.Title("Echo round trips over a hidden-point connection: hpc and Tor" + Environment.NewLine + caption, size: 14);
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(full, Width, Height);
        return full;
    }

    private static void AddCdf(Plot plot, string name, IReadOnlyCollection<double> samples, Color color)
    {
        var sorted = samples.Where(s => s > 0).Order().ToArray();
        var xs = sorted.Select(Math.Log10).ToArray();
        var ys = Enumerable.Range(1, sorted.Length).Select(i => (double)i / sorted.Length).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.Color = color;
        line.LineWidth = 2;
        line.MarkerSize = 0;
        line.LegendText = $"{name}: median {FormatMilliseconds(Statistics.Median(sorted))} ms, p99 {FormatMilliseconds(Statistics.Percentile(sorted, 99))} ms (n={sorted.Length})";
    }

    private static string FormatMilliseconds(double value) => BenchResults.Format(value);
}
