using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The resident memory of real <c>hpc-relay</c> processes on the benchmark network: the local testnet
/// (<c>hpc-testnet run --users 0</c>: three <c>hpc-directory</c> authorities and <see cref="Relays"/> relays, each its own
/// process on its own 127.N.0.1, as operators run them). This process is the client: it takes the authorities'
/// consensus through a <see cref="ConsensusHolder"/> pinning them, builds the asked number of three-hop circuits with the
/// client's <see cref="CircuitBuilder"/> and keeps them open, hosts a hidden point and connects to it with a second
/// circuit builder, pushes <see cref="BulkBytes"/> through one stream of that connection, then closes everything. After
/// each phase it reads every relay's <c>/proc/PID/status</c> and <c>/proc/PID/smaps</c> and prints the resident size
/// and where it lies; the last line, <c>relay_rss_MB</c>, is the median relay's resident size after the bulk transfer.
/// </summary>
internal static class RelayMemoryFigure
{
    /// <summary>The mode.</summary>
    public const string Mode = "--relay-memory";

    /// <summary>Circuits built when no count is given.</summary>
    public const int DefaultCircuits = 200;

    /// <summary>The most circuits one run builds.</summary>
    public const int MaxCircuits = 5_000;

    /// <summary>Relays on the network (the testnet's default).</summary>
    public const int Relays = 8;

    /// <summary>Bytes pushed through the hidden-point connection.</summary>
    public const int BulkBytes = 50 * 1024 * 1024;

    // The relays' default circuit limit per client address is a burst of 90 CREATE2 then 3 per second
    // (docs/relay.md, Limits), and every circuit of this process comes from 127.0.0.1. Builds are paced below it, so no
    // guard refuses one and marks the address.
    private const int PaceBurst = 60;
    private const double PacePerSecond = 2.5;

    private const string VotingIntervalSeconds = "10";
    private const int MaxBuildAttempts = 5;
    private static int s_failedBuilds;
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ConsensusRefresh = TimeSpan.FromSeconds(3);

    /// <summary>Runs the network and the phases; prints the figures. 0 when measured, 1 otherwise.</summary>
    public static async Task<int> RunAsync(int circuits)
    {
        var folder = Directory.CreateTempSubdirectory("hpc-relay-memory-");
        var testnet = ChildProgram.Locate("hpc-testnet");
        var started = false;
        try
        {
            Console.WriteLine($"starting 3 authorities and {Relays} relays (hpc-testnet)…");
            started = true;
            var (code, output) = await RunTestnetAsync(testnet, ["run", "--relays", Relays.ToString(CultureInfo.InvariantCulture), "--users", "0",
                "--voting-interval", VotingIntervalSeconds, "--state-dir", folder.FullName, "--timeout", "180"], NetworkTimeout).ConfigureAwait(false);
            if (code != 0)
            {
                await Console.Error.WriteLineAsync($"The testnet did not start (exit {code}):\n{output}").ConfigureAwait(false);
                return 1;
            }

            var nodes = ReadNodes(folder.FullName);
            var relays = nodes.Where(n => n.Role == "Relay").ToList();
            var authorities = nodes.Where(n => n.Role == "Authority").ToList();
            Console.WriteLine($"relays up (pids {string.Join(' ', relays.Select(r => r.ProcessId))}); letting them settle {SettleTime.TotalSeconds} s…");
            await Task.Delay(SettleTime).ConfigureAwait(false);
            var samples = new List<(string Phase, IReadOnlyList<RelayMemory> Relays)> { ("idle", Sample(relays)) };

            using var http = AuthorityConsensusDownloader.CreateHttpClient(TimeSpan.FromSeconds(5), "hpc-bench");
            var downloader = new AuthorityConsensusDownloader(http, TimeSpan.FromSeconds(10));
            var consensus = new ConsensusHolder([.. authorities.Select(a => AuthorityIdOf(a.Identity))], TimeProvider.System);
            using var stop = new CancellationTokenSource();
            if (!await RefreshAsync(downloader, consensus, authorities, CancellationToken.None).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync("No authority served a consensus this client accepts.").ConfigureAwait(false);
                return 1;
            }

            var refreshing = Task.Run(() => KeepRefreshingAsync(downloader, consensus, authorities, stop.Token));
            try
            {
                await MeasureAsync(consensus, circuits, relays, samples).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await refreshing.ConfigureAwait(false);
            }

            Print(samples);
            return 0;
        }
        finally
        {
            if (started)
            {
                var (code, output) = await RunTestnetAsync(testnet, ["stop", "--state-dir", folder.FullName], TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                if (code != 0)
                {
                    await Console.Error.WriteLineAsync($"hpc-testnet stop failed (exit {code}):\n{output}").ConfigureAwait(false);
                }
            }

            folder.Delete(recursive: true);
        }
    }

    private static async Task MeasureAsync(ConsensusHolder consensus, int count, IReadOnlyList<Node> relays, List<(string, IReadOnlyList<RelayMemory>)> samples)
    {
        var client = BenchClientCircuits.Create(consensus, new CircuitBuilderOptions { PoolSize = 0 });
        var hostCircuits = BenchClientCircuits.Create(consensus, new CircuitBuilderOptions());
        await using (client.ConfigureAwait(false))
        await using (hostCircuits.ConfigureAwait(false))
        {
            Console.WriteLine($"building {count} circuits (paced at {PacePerSecond}/s after {PaceBurst}, under the guards' limit)…");
            var open = new List<ProvidedCircuit>(count);
            var clock = Stopwatch.StartNew();
            using (var limit = new CancellationTokenSource(StepTimeout + TimeSpan.FromSeconds(count / PacePerSecond)))
            {
                for (var i = 0; i < count; i++)
                {
                    var due = TimeSpan.FromSeconds(Math.Max(0, i - PaceBurst) / PacePerSecond);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, limit.Token).ConfigureAwait(false);
                    }

                    open.Add(await BuildAsync(client.Builder, limit.Token).ConfigureAwait(false));
                }
            }

            Console.WriteLine(FormattableString.Invariant($"{count} circuits open after {clock.Elapsed.TotalSeconds:F1} s ({s_failedBuilds} builds failed and were retried)"));
            samples.Add(("circuits", Sample(relays)));

            using var identity = HiddenPointIdentityKey.Generate();
            var hosting = new HostingOptions { PublishSettleDelay = TimeSpan.FromMilliseconds(500), IntroductionRetryDelay = TimeSpan.FromMilliseconds(200) };
            var host = new HostedHiddenPoint(identity, hostCircuits.Builder, consensus, Options.Create(hosting), TimeProvider.System, NullLogger<HostedHiddenPoint>.Instance);
            await using (host.ConfigureAwait(false))
            {
                host.Start();
                await host.FirstPublished.WaitAsync(StepTimeout).ConfigureAwait(false);
                var received = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var serving = Task.Run(() => ServeAsync(host.Connections, received));
                var connector = new HiddenPointConnector(client.Builder, consensus, Options.Create(new ConnectOptions()), TimeProvider.System, NullLogger<HiddenPointConnector>.Instance);
                var connection = await connector.ConnectAsync(host.HiddenId.ToString()).WaitAsync(StepTimeout).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var stream = await connection.OpenStreamAsync(80).WaitAsync(StepTimeout).ConfigureAwait(false);
                    Console.WriteLine($"pushing {BulkBytes / (1024 * 1024)} MiB through the hidden-point connection…");
                    clock.Restart();
                    var chunk = new byte[64 * 1024];
                    Random.Shared.NextBytes(chunk);
                    for (var sent = 0; sent < BulkBytes; sent += chunk.Length)
                    {
                        await stream.Output.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, BulkBytes - sent))).ConfigureAwait(false);
                    }

                    var ack = new byte[1];
                    await StreamIo.ReadExactlyAsync(stream.Input, ack).WaitAsync(StepTimeout).ConfigureAwait(false);
                    var total = await received.Task.WaitAsync(StepTimeout).ConfigureAwait(false);
                    Console.WriteLine(FormattableString.Invariant($"{total / (1024.0 * 1024):F1} MiB received by the host in {clock.Elapsed.TotalSeconds:F1} s"));
                    samples.Add(("bulk", Sample(relays)));
                    await stream.DisposeAsync().ConfigureAwait(false);
                    await connection.CloseAsync().ConfigureAwait(false);
                }

                await host.DisposeAsync().ConfigureAwait(false);
                await serving.WaitAsync(StepTimeout).ConfigureAwait(false);
            }

            foreach (var circuit in open)
            {
                await circuit.Circuit.CloseAsync().ConfigureAwait(false);
            }
        }

        Console.WriteLine($"everything closed; waiting {SettleTime.TotalSeconds} s…");
        await Task.Delay(SettleTime).ConfigureAwait(false);
        samples.Add(("closed", Sample(relays)));
    }

    // A build can fail on a loaded machine (a middle relay not yet linked to the next one, a consensus a moment old):
    // the figure is about memory, so a failed build is counted and tried again after a pause.
    private static async Task<ProvidedCircuit> BuildAsync(CircuitBuilder builder, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await builder.BuildAsync(CircuitPurpose.General, null, cancellationToken).ConfigureAwait(false);
            }
            catch (CircuitBuildException) when (attempt < MaxBuildAttempts)
            {
                s_failedBuilds++;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The host's side: reads the one stream to its end of BulkBytes, then answers with one byte.
    private static async Task ServeAsync(ChannelReader<IncomingHiddenPointConnection> connections, TaskCompletionSource<long> received)
    {
        await foreach (var connection in connections.ReadAllAsync().ConfigureAwait(false))
        {
            await using (connection.ConfigureAwait(false))
            {
                await foreach (var incoming in connection.IncomingStreams.ReadAllAsync().ConfigureAwait(false))
                {
                    try
                    {
                        var stream = await incoming.AcceptAsync().ConfigureAwait(false);
                        await using (stream.ConfigureAwait(false))
                        {
                            long total = 0;
                            while (total < BulkBytes)
                            {
                                var read = await stream.Input.ReadAsync().ConfigureAwait(false);
                                total += read.Buffer.Length;
                                stream.Input.AdvanceTo(read.Buffer.End);
                                if (read.IsCompleted)
                                {
                                    break;
                                }
                            }

                            await stream.Output.WriteAsync(new byte[] { 1 }).ConfigureAwait(false);
                            received.TrySetResult(total);
                        }
                    }
                    catch (Exception error) when (error is IOException or InvalidOperationException)
                    {
                        received.TrySetException(error);
                    }
                }
            }
        }
    }

    private static async Task<bool> RefreshAsync(AuthorityConsensusDownloader downloader, ConsensusHolder consensus, IReadOnlyList<Node> authorities, CancellationToken cancellationToken)
    {
        foreach (var authority in authorities)
        {
            if (!RelayAddress.TryParse(authority.Address + ":" + authority.Port.ToString(CultureInfo.InvariantCulture), out var address))
            {
                continue;
            }

            var download = await downloader.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (download.Document is { } document && (consensus.Offer(document).Accepted || consensus.TryGetUsable(out _, out _)))
            {
                return true;
            }
        }

        return false;
    }

    // The testnet's consensus lives a few voting intervals: fetch each new one, as a client's directory refresh would.
    private static async Task KeepRefreshingAsync(AuthorityConsensusDownloader downloader, ConsensusHolder consensus, IReadOnlyList<Node> authorities, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(ConsensusRefresh, cancellationToken).ConfigureAwait(false);
                await RefreshAsync(downloader, consensus, authorities, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static AuthorityId AuthorityIdOf(string identity) =>
        AuthorityIds.TryParse(identity, out var id) ? id : throw new InvalidDataException($"'{identity}' is not an authority identity.");

    private static async Task<(int ExitCode, string Output)> RunTestnetAsync(string testnet, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(testnet);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("hpc-testnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return (-1, $"hpc-testnet did not finish within {timeout.TotalSeconds} s.");
        }

        return (process.ExitCode, await output.ConfigureAwait(false) + await errors.ConfigureAwait(false));
    }

    /// <summary>One node as hpc-testnet's state file (testnet.json) records it.</summary>
    private sealed record Node(string Name, string Role, string Address, int Port, string Identity, int ProcessId);

    private static List<Node> ReadNodes(string folder)
    {
        using var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "testnet.json")));
        return
        [
            .. state.RootElement.GetProperty("nodes").EnumerateArray().Select(n => new Node(
                n.GetProperty("name").GetString()!,
                n.GetProperty("role").GetString()!,
                n.GetProperty("address").GetString()!,
                n.GetProperty("port").GetInt32(),
                n.GetProperty("identity").GetString()!,
                n.GetProperty("processId").GetInt32())),
        ];
    }

    private static List<RelayMemory> Sample(IReadOnlyList<Node> relays) => [.. relays.Select(r => RelayMemory.Read(r.Name, r.ProcessId))];

    private static void Print(List<(string Phase, IReadOnlyList<RelayMemory> Relays)> samples)
    {
        Console.WriteLine();
        Console.WriteLine("phase     relay    rss_MB  gc_heap  code_wx  files  other_anon   (MB; resident pages of each kind, /proc/PID/smaps)");
        foreach (var (phase, relays) in samples)
        {
            foreach (var relay in relays)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"{phase,-9} {relay.Name,-8} {Mb(relay.Rss),6:F1}  {Mb(relay.GcHeap),7:F1}  {Mb(relay.DoubleMapped),7:F1}  {Mb(relay.Files),5:F1}  {Mb(relay.OtherAnonymous),10:F1}"));
            }
        }

        Console.WriteLine();
        foreach (var (phase, relays) in samples)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{phase}_median: rss_MB={Median(relays, r => r.Rss):F1} gc_heap_MB={Median(relays, r => r.GcHeap):F1} code_wx_MB={Median(relays, r => r.DoubleMapped):F1} files_MB={Median(relays, r => r.Files):F1} other_anon_MB={Median(relays, r => r.OtherAnonymous):F1} max_rss_MB={relays.Max(r => Mb(r.Rss)):F1}"));
        }

        var bulk = samples.Single(s => s.Phase == "bulk").Relays;
        Console.WriteLine(FormattableString.Invariant($"relay_rss_MB={Median(bulk, r => r.Rss):F1}"));
    }

    private static double Mb(long kilobytes) => kilobytes / 1024.0;

    private static double Median(IReadOnlyList<RelayMemory> relays, Func<RelayMemory, long> figure)
    {
        var sorted = relays.Select(figure).Order().ToArray();
        return Mb(sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2);
    }
}
