using System.Diagnostics;
using HiddenPoint.NetworkBenchmark;

namespace HiddenPoint.NetworkBenchmark.Tests;

/// <summary>The report mode on two small results files, in this process and as the built program.</summary>
public sealed class ReportTests
{
    // The Tor side's file as bench/HiddenPoint.TorBenchmark writes it (the shared schema), a few samples each.
    private const string TorJson = """
        {"system":"tor","date":"2026-12-07T16:00:00Z","machine":"x86_64 / test cpu / 2 cores","quick":true,
         "figures":{"circuit_build_ms_median":60,"rtt_ms_median":16,"rtt_ms_p99":65,"bulk_MBps":5.5},
         "samples":{"bootstrap_s":[8.2],"circuit_build_ms":[55,60,70],"onion_connect_ms":[250,260],"rtt_ms":[12,16,20,65]}}
        """;

    [Fact]
    public async Task Report_prints_both_systems_and_their_ratios_in_one_block_and_writes_the_plot()
    {
        using var folder = new PrivateTempFolder("hpc-netbench-test-");
        var (hpcPath, torPath) = WriteInputs(folder.Path);
        var plot = Path.Combine(folder.Path, "plots", "rtt.png");
        using var output = new StringWriter();

        var exit = await ReportCommand.RunAsync(hpcPath, torPath, plot, output);

        Assert.Equal(ExitCodes.Ok, exit);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BenchResults.BlockStart, lines[0]);
        Assert.Contains("hpc.rtt_ms_median=1.6", lines);
        Assert.Contains("tor.rtt_ms_median=16", lines);
        Assert.Contains("ratio.rtt_ms_median=0.1", lines);
        Assert.Contains("ratio.bulk_MBps=10", lines);
        Assert.Contains("hpc.relay_rss_MB=50", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("ratio.relay_rss_MB=", StringComparison.Ordinal));
        Assert.Equal(BenchResults.BlockEnd, lines[^2]);
        Assert.Equal("plot: " + plot, lines[^1]);
        AssertPng(plot);
    }

    [Fact]
    public async Task The_built_program_runs_the_report_mode()
    {
        using var folder = new PrivateTempFolder("hpc-netbench-test-");
        var (hpcPath, torPath) = WriteInputs(folder.Path);
        var plot = Path.Combine(folder.Path, "rtt.png");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "HiddenPoint.NetworkBenchmark.dll"), "--report", hpcPath, torPath, "--plot", plot })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Host);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == ExitCodes.Ok, await errors);
        Assert.Contains("ratio.circuit_build_ms_median=0.05", await output);
        AssertPng(plot);
    }

    [Fact]
    public async Task A_file_that_is_not_results_fails_the_report_and_names_the_file()
    {
        using var folder = new PrivateTempFolder("hpc-netbench-test-");
        var (hpcPath, _) = WriteInputs(folder.Path);
        var broken = Path.Combine(folder.Path, "broken.json");
        await File.WriteAllTextAsync(broken, """{"figures":{"rtt_ms_median":"fast"}}""");
        using var output = new StringWriter();

        var exit = await ReportCommand.RunAsync(hpcPath, broken, Path.Combine(folder.Path, "rtt.png"), output);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Empty(output.ToString());
    }

    private static (string Hpc, string Tor) WriteInputs(string folder)
    {
        var hpc = new BenchResults { System = "hpc", Machine = "x86_64 / test cpu / 2 cores", Quick = true };
        hpc.Figures["circuit_build_ms_median"] = 3;
        hpc.Figures["rtt_ms_median"] = 1.6;
        hpc.Figures["rtt_ms_p99"] = 4;
        hpc.Figures["bulk_MBps"] = 55;
        hpc.Figures["relay_rss_MB"] = 50;
        hpc.Samples["rtt_ms"] = [1.2, 1.6, 1.7, 4];
        hpc.Samples["circuit_build_ms"] = [2.5, 3, 3.5];
        var hpcPath = Path.Combine(folder, "hpc.json");
        hpc.Write(hpcPath);
        var torPath = Path.Combine(folder, "tor.json");
        File.WriteAllText(torPath, TorJson);
        return (hpcPath, torPath);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}
