namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// <c>--report HPC.json TOR.json</c>: one block with both systems' figures (<c>hpc.</c>, <c>tor.</c>) and, for every
/// figure both have, <c>ratio.key=hpc/tor</c>; then the round-trip plot of both.
/// </summary>
internal static class ReportCommand
{
    public const string RttSamples = "rtt_ms";

    public static async Task<int> RunAsync(string hpcPath, string torPath, string plotPath, TextWriter output)
    {
        BenchResults hpc, tor;
        try
        {
            hpc = BenchResults.Read(hpcPath);
            tor = BenchResults.Read(torPath);
        }
        catch (BenchmarkException e)
        {
            await Console.Error.WriteLineAsync("hpc-bench report: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        output.WriteLine(BenchResults.BlockStart);
        hpc.WriteLines(output, "hpc");
        tor.WriteLines(output, "tor");
        foreach (var (key, value) in hpc.OrderedFigures())
        {
            if (tor.Figures.TryGetValue(key, out var theirs) && theirs != 0)
            {
                output.WriteLine($"ratio.{key}={BenchResults.Format(value / theirs)}");
            }
        }

        output.WriteLine(BenchResults.BlockEnd);
        if (!hpc.Samples.TryGetValue(RttSamples, out var hpcRtt) || hpcRtt.Count == 0
            || !tor.Samples.TryGetValue(RttSamples, out var torRtt) || torRtt.Count == 0)
        {
            await Console.Error.WriteLineAsync($"hpc-bench report: no plot: both files need samples.{RttSamples}.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var written = RttPlot.Write(plotPath, hpcRtt, torRtt, $"{hpc.Date:yyyy-MM-dd}, {hpc.Machine}");
        output.WriteLine($"plot: {written}");
        return ExitCodes.Ok;
    }
}
