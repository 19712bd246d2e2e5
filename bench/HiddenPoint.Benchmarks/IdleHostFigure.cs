using System.Diagnostics;
using System.Globalization;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The idle cost of keeping a hidden point online, in the host's own process. This process runs the relays (eight, the
/// real hidden-point roles) and writes their signed consensus and the authority that signed it to a temporary folder; a
/// child process (this program again, <see cref="ChildMode"/>) takes that consensus through a <see cref="ConsensusHolder"/>
/// pinning the authority, so it is parsed and verified as a client verifies it, and hosts a hidden point on a circuit
/// builder with every option at its default (pool of two included). Once the hidden point is published with all three
/// introduction points established, the child measures its own CPU time over the idle window and its resident size at
/// the end; this process prints them as <c>idle_cpu_percent</c> (of one core) and <c>idle_rss_MB</c>.
/// </summary>
internal static class IdleHostFigure
{
    /// <summary>The mode that runs the relays and the child and prints the figures.</summary>
    public const string ParentMode = "--idle-host";

    /// <summary>The mode of the child process: the host alone.</summary>
    public const string ChildMode = "--idle-host-child";

    /// <summary>The idle window when none is given.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(60);

    // Time the child may take beyond the window: start-up, publishing, the introduction points, and exit.
    private static readonly TimeSpan SetupAllowance = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ChildSetupTimeout = TimeSpan.FromSeconds(60);
    private const int IntroductionPoints = 3;
    private const string ConsensusFileName = "consensus";
    private const string AuthorityFileName = "authority";

    /// <summary>Runs the relays and the child; prints the figures. 0 when measured, 1 when the child failed or timed out.</summary>
    public static async Task<int> RunAsync(TimeSpan window)
    {
        var folder = Directory.CreateTempSubdirectory("hpc-idle-host-");
        Process? child = null;
        try
        {
            await using var network = await HiddenPointTestNetwork.StartAsync(8).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, ConsensusFileName), network.Consensus.Document.ToArray()).ConfigureAwait(false);

            // The consensus lists the authorities whose signatures verified: the test network's one authority.
            var authority = Convert.ToBase64String(network.Consensus.Signers.Single().Key.Bytes).TrimEnd('=');
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, AuthorityFileName), authority).ConfigureAwait(false);

            child = Process.Start(ChildStartInfo(folder.FullName, window)) ?? throw new InvalidOperationException("The child process did not start.");
            var output = child.StandardOutput.ReadToEndAsync();
            var errors = child.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(window + SetupAllowance);
            try
            {
                await child.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"The idle host did not finish within {(window + SetupAllowance).TotalSeconds} s.").ConfigureAwait(false);
                return 1;
            }

            var figures = ParseFigures(await output.ConfigureAwait(false));
            await Console.Error.WriteAsync(await errors.ConfigureAwait(false)).ConfigureAwait(false);
            if (child.ExitCode != 0 || !figures.TryGetValue("cpu_seconds", out var cpu) || !figures.TryGetValue("window_seconds", out var measured)
                || !figures.TryGetValue("rss_kB", out var rss) || !figures.TryGetValue("intro_points", out var points))
            {
                await Console.Error.WriteLineAsync($"The idle host failed (exit code {child.ExitCode}).").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(FormattableString.Invariant($"idle_window_s={measured:F1}"));
            Console.WriteLine(FormattableString.Invariant($"idle_intro_points_at_end={points}"));
            Console.WriteLine(FormattableString.Invariant($"idle_cpu_percent={100 * cpu / measured:F3}"));
            Console.WriteLine(FormattableString.Invariant($"idle_rss_MB={rss / 1024:F1}"));
            return 0;
        }
        finally
        {
            if (child is not null)
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                    await child.WaitForExitAsync().ConfigureAwait(false);
                }

                child.Dispose();
            }

            folder.Delete(recursive: true);
        }
    }

    /// <summary>The child: hosts the hidden point over the written consensus, then measures itself while idle.</summary>
    public static async Task<int> RunChildAsync(string folder, TimeSpan window)
    {
        var authorityText = await File.ReadAllTextAsync(Path.Combine(folder, AuthorityFileName)).ConfigureAwait(false);
        if (!AuthorityIds.TryParse(authorityText, out var authority))
        {
            await Console.Error.WriteLineAsync("The authority file does not name an authority.").ConfigureAwait(false);
            return 1;
        }

        var consensus = new ConsensusHolder([authority], TimeProvider.System);
        var offer = consensus.Offer(await File.ReadAllBytesAsync(Path.Combine(folder, ConsensusFileName)).ConfigureAwait(false));
        if (!offer.Accepted)
        {
            await Console.Error.WriteLineAsync($"The consensus was refused: {offer}.").ConfigureAwait(false);
            return 1;
        }

        var circuits = BenchClientCircuits.Create(consensus, new CircuitBuilderOptions());
        await using (circuits.ConfigureAwait(false))
        {
            circuits.Builder.StartPool();
            using var identity = HiddenPointIdentityKey.Generate();
            var host = new HostedHiddenPoint(identity, circuits.Builder, consensus, Options.Create(new HostingOptions()), TimeProvider.System, NullLogger<HostedHiddenPoint>.Instance);
            await using (host.ConfigureAwait(false))
            {
                host.Start();
                using var setup = new CancellationTokenSource(ChildSetupTimeout);
                await host.FirstPublished.WaitAsync(setup.Token).ConfigureAwait(false);

                // No event says that the last introduction point is up: look every 100 ms, bounded by the setup timeout.
                while (host.EstablishedIntroductionPoints < IntroductionPoints)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), setup.Token).ConfigureAwait(false);
                }

                using var self = Process.GetCurrentProcess();
                var cpuBefore = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                await Task.Delay(window).ConfigureAwait(false);
                self.Refresh();
                var cpu = self.TotalProcessorTime - cpuBefore;
                var measured = clock.Elapsed;
                Console.WriteLine(FormattableString.Invariant($"cpu_seconds={cpu.TotalSeconds}"));
                Console.WriteLine(FormattableString.Invariant($"window_seconds={measured.TotalSeconds}"));
                Console.WriteLine(FormattableString.Invariant($"rss_kB={ResidentKilobytes()}"));
                Console.WriteLine(FormattableString.Invariant($"intro_points={host.EstablishedIntroductionPoints}"));
            }
        }

        return 0;
    }

    private static ProcessStartInfo ChildStartInfo(string folder, TimeSpan window)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var start = new ProcessStartInfo(processPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // Run through the dotnet host, the child needs this assembly named; run as the app host, it is the program.
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(IdleHostFigure).Assembly.Location);
        }

        start.ArgumentList.Add(ChildMode);
        start.ArgumentList.Add(folder);
        start.ArgumentList.Add(window.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        return start;
    }

    private static Dictionary<string, double> ParseFigures(string output)
    {
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && double.TryParse(line.AsSpan(equals + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                figures[line[..equals]] = value;
            }
        }

        return figures;
    }

    /// <summary>VmRSS of this process from /proc/self/status, in kB.</summary>
    private static long ResidentKilobytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
