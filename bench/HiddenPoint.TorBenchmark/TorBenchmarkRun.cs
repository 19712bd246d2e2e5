using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// The measurement, with the definitions of docs/performance.md: fresh networks for the start-up figures (bootstrap_s,
/// hs_publish_s; 5 networks, 1 with --quick), then, on the last network, a joining client, circuit builds, onion
/// connects, echo round trips and the bulk transfer with the relays' CPU time and memory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class TorBenchmarkRun
{
    /// <summary>The bulk transfer's size: 50 MB (decimal megabytes, as every MB figure of the transfer is).</summary>
    public const long BulkBytes = 50_000_000;

    /// <summary>The relays a connection to an onion service crosses: the client's guard, middle and rendezvous point, and
    /// the service's guard, middle and third hop to the rendezvous point, counted once each as the definition does.</summary>
    public const int HopsOnOnionPath = 6;

    private const int CircuitCount = 20;
    private const int EchoCount = 200;
    private const int EchoSize = 100;
    private static readonly TimeSpan s_bootstrapBound = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan s_startBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_circuitBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_newnymBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_connectBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_bulkBound = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_bulkReportEvery = TimeSpan.FromSeconds(10);

    private readonly BenchArguments _arguments;
    private readonly string _folder;
    private readonly long _runStarted = Stopwatch.GetTimestamp();

    public TorBenchmarkRun(BenchArguments arguments, string folder)
    {
        _arguments = arguments;
        _folder = folder;
    }

    private int NetworkCount => _arguments.Quick ? 1 : 5;

    private int JoinCount => _arguments.Quick ? 1 : 3;

    private int OnionConnectCount => _arguments.Quick ? 6 : 8;

    /// <summary>Runs every measurement, recording each figure into <paramref name="result"/> as it is taken (so that a
    /// run that fails or passes its bound still shows what it measured).</summary>
    public async Task RunAsync(BenchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var echo = new EchoServer();
        var sink = new BulkSink();
        await using (echo.ConfigureAwait(false))
        await using (sink.ConfigureAwait(false))
        {
            echo.Start();
            sink.Start();
            var targets = new OnionServiceTargets(echo.Port, sink.Port);
            var publishes = new List<double>();
            string? previousFolder = null;
            TorNetwork? previous = null;
            for (var n = 1; n <= NetworkCount; n++)
            {
                var folder = Path.Combine(_folder, $"network{n}");
                Progress(previous is null
                    ? $"network {n}/{NetworkCount}: generating keys and torrcs in {folder}"
                    : $"network {n}/{NetworkCount}: fresh data directories with the same keys in {folder}");
                using var network = previous is null
                    ? await TorNetwork.CreateAsync(folder, targets, _arguments.OneMillisecondScheduler, cancellationToken).ConfigureAwait(false)
                    : await previous.CreateFreshCopyAsync(folder, cancellationToken).ConfigureAwait(false);
                if (previousFolder is not null && !_arguments.Keep)
                {
                    Directory.Delete(previousFolder, recursive: true);
                }

                var started = network.Start();
                var client = await ControlConnection.ConnectAsync(network.Client.ControlPort, s_startBound, cancellationToken).ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    var service = await ControlConnection.ConnectAsync(network.Service.ControlPort, s_startBound, cancellationToken).ConfigureAwait(false);
                    await using (service.ConfigureAwait(false))
                    {
                        await service.CommandAsync("SETEVENTS HS_DESC", cancellationToken).ConfigureAwait(false);
                        var bootstrapped = WaitBootstrappedAsync(network, client, started, cancellationToken);
                        var published = WaitPublishedAsync(network, service, started, cancellationToken);
                        var bootstrapSeconds = await bootstrapped.ConfigureAwait(false);
                        Progress($"network {n}/{NetworkCount}: client bootstrapped {bootstrapSeconds:0.00} s after start");
                        var publishSeconds = await published.ConfigureAwait(false);
                        Progress($"network {n}/{NetworkCount}: descriptor first stored on an HSDir {publishSeconds:0.00} s after start");
                        result.AddSample("bootstrap_s", bootstrapSeconds);
                        publishes.Add(publishSeconds);
                    }

                    if (n == NetworkCount)
                    {
                        result.Add("bootstrap_s", Statistics.Median(result.Samples["bootstrap_s"]));
                        result.Add("hs_publish_s", Statistics.Median(publishes));
                        await MeasureRunningNetworkAsync(network, sink, client, result, cancellationToken).ConfigureAwait(false);
                    }
                }

                network.Dispose();
                previous = network;
                previousFolder = folder;
            }

            if (previousFolder is not null && !_arguments.Keep)
            {
                Directory.Delete(previousFolder, recursive: true);
            }
        }
    }

    private async Task MeasureRunningNetworkAsync(TorNetwork network, BulkSink sink, ControlConnection client, BenchResult result, CancellationToken cancellationToken)
    {
        var joins = new List<double>();
        for (var i = 0; i < JoinCount; i++)
        {
            joins.Add(await MeasureJoinAsync(network, i, cancellationToken).ConfigureAwait(false));
            Progress($"fresh client {i + 1}/{JoinCount} bootstrapped in {joins[^1]:0.00} s");
        }

        result.Add("client_join_s", Statistics.Median(joins));

        await client.CommandAsync("SETEVENTS CIRC", cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < CircuitCount; i++)
        {
            result.AddSample("circuit_build_ms", await BuildCircuitAsync(network, client, cancellationToken).ConfigureAwait(false));
        }

        result.Add("circuit_build_ms_median", Statistics.Median(result.Samples["circuit_build_ms"]));
        Progress($"{CircuitCount} three-hop circuits: median {result.Figures[^1].Value:0.0} ms");

        var onion = (await File.ReadAllTextAsync(Path.Combine(network.Service.OnionServiceDirectory, "hostname"), cancellationToken).ConfigureAwait(false)).Trim();
        await client.CommandAsync("SETEVENTS SIGNAL", cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < OnionConnectCount; i++)
        {
            var milliseconds = await OnionConnectAsync(network, client, onion, cancellationToken).ConfigureAwait(false);
            result.AddSample("onion_connect_ms", milliseconds);
            Progress($"onion connect {i + 1}/{OnionConnectCount} (descriptor cache cleared, fresh circuits): {milliseconds:0.0} ms");
        }

        result.Add("onion_connect_ms_median", Statistics.Median(result.Samples["onion_connect_ms"]));

        using (var echo = await ConnectOnionAsync(network, onion, OnionServiceTargets.EchoVirtualPort, cancellationToken).ConfigureAwait(false))
        {
            var message = new byte[EchoSize];
            var answer = new byte[EchoSize];
            Random.Shared.NextBytes(message);
            for (var i = 0; i < EchoCount; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await echo.SendAsync(message, cancellationToken).ConfigureAwait(false);
                await SocketReads.ReadExactlyAsync(echo, answer, cancellationToken).ConfigureAwait(false);
                result.AddSample("rtt_ms", Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!answer.AsSpan().SequenceEqual(message))
                {
                    throw new TorBenchmarkException("The echo came back different from what was sent.");
                }
            }
        }

        result.Add("rtt_ms_median", Statistics.Median(result.Samples["rtt_ms"]));
        result.Add("rtt_ms_p99", Statistics.Percentile(result.Samples["rtt_ms"], 99));
        Progress($"{EchoCount} echoes of {EchoSize} bytes: median {result.Figures[^2].Value:0.00} ms, p99 {result.Figures[^1].Value:0.00} ms");

        await MeasureBulkAsync(network, sink, onion, result, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<double> MeasureJoinAsync(TorNetwork network, int index, CancellationToken cancellationToken)
    {
        var (process, startedAt) = await network.StartExtraClientAsync($"joiner{index}", cancellationToken).ConfigureAwait(false);
        try
        {
            var control = await ControlConnection.ConnectAsync(process.Node.ControlPort, s_startBound, cancellationToken).ConfigureAwait(false);
            await using (control.ConfigureAwait(false))
            {
                return await WaitBootstrappedAsync(network, control, startedAt, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // A joined client leaves again, so that it does not share the machine with the later figures.
            network.StopExtraClient(process);
        }
    }

    /// <summary>Polls the client's bootstrap status every 50 ms until PROGRESS=100; seconds from <paramref name="startedAt"/>.</summary>
    private static async Task<double> WaitBootstrappedAsync(TorNetwork network, ControlConnection control, long startedAt, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(startedAt) < s_bootstrapBound)
        {
            var reply = await control.CommandAsync("GETINFO status/bootstrap-phase", cancellationToken).ConfigureAwait(false);
            var answeredAt = Stopwatch.GetTimestamp();
            if (ControlEvents.BootstrapProgress(reply.Value("status/bootstrap-phase") ?? "") == 100)
            {
                return Stopwatch.GetElapsedTime(startedAt, answeredAt).TotalSeconds;
            }

            network.ThrowIfAnyExited();
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }

        throw new TorBenchmarkException($"A client was not bootstrapped {s_bootstrapBound.TotalSeconds:0} s after its start (see notice.log in {network.Folder}; --keep keeps it).");
    }

    /// <summary>Waits for the service's first HS_DESC UPLOADED event; seconds from <paramref name="startedAt"/>.</summary>
    private static async Task<double> WaitPublishedAsync(TorNetwork network, ControlConnection service, long startedAt, CancellationToken cancellationToken)
    {
        var left = s_bootstrapBound - Stopwatch.GetElapsedTime(startedAt);
        var uploaded = await service.WaitForEventAsync(ControlEvents.IsDescriptorUploaded, left, "HS_DESC UPLOADED from the onion service", cancellationToken).ConfigureAwait(false);
        network.ThrowIfAnyExited();
        return Stopwatch.GetElapsedTime(startedAt, uploaded.ArrivedAt).TotalSeconds;
    }

    /// <summary>
    /// Builds one three-hop circuit (the client's guard, then two other relays at random) and returns the milliseconds
    /// from the EXTENDCIRCUIT command to the circuit's BUILT event; closes the circuit again.
    /// </summary>
    private static async Task<double> BuildCircuitAsync(TorNetwork network, ControlConnection client, CancellationToken cancellationToken)
    {
        var guards = ControlEvents.UsableGuards((await client.CommandAsync("GETINFO entry-guards", cancellationToken).ConfigureAwait(false)).Value("entry-guards") ?? "");
        var relays = network.RelayFingerprints.ToList();
        var first = guards.FirstOrDefault(relays.Contains) ?? relays[Random.Shared.Next(relays.Count)];
        relays.Remove(first);
        var second = relays[Random.Shared.Next(relays.Count)];
        relays.Remove(second);
        var third = relays[Random.Shared.Next(relays.Count)];

        client.DropPendingEvents();
        var start = Stopwatch.GetTimestamp();
        var reply = await client.CommandAsync($"EXTENDCIRCUIT 0 ${first},${second},${third} purpose=general", cancellationToken).ConfigureAwait(false);
        var id = ControlEvents.ExtendedCircuitId(reply.Lines[^1]) ?? throw new TorBenchmarkException($"EXTENDCIRCUIT answered {reply}.");
        var done = await client.WaitForEventAsync(
            text => ControlEvents.TryReadCircuit(text, out var circuit, out var status) && circuit == id && status is "BUILT" or "FAILED" or "CLOSED",
            s_circuitBound,
            $"BUILT event for circuit {id}",
            cancellationToken).ConfigureAwait(false);
        if (!done.Text.Contains(" BUILT ", StringComparison.Ordinal) && !done.Text.EndsWith(" BUILT", StringComparison.Ordinal))
        {
            throw new TorBenchmarkException($"Circuit {id} failed: {done.Text}");
        }

        await client.SendAsync($"CLOSECIRCUIT {id}", cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start, done.ArrivedAt).TotalMilliseconds;
    }

    /// <summary>
    /// SIGNAL NEWNYM, waiting for the SIGNAL NEWNYM event that says it took effect (tor applies at most one per 10 s and
    /// defers the rest): tor then marks every used circuit unusable for new streams and purges its onion-service client
    /// state, descriptor cache included. Then the milliseconds from the SOCKS connect to the onion service's port 7 to the
    /// first echoed byte: descriptor fetch, introduction, rendezvous and one round trip.
    /// </summary>
    private static async Task<double> OnionConnectAsync(TorNetwork network, ControlConnection client, string onion, CancellationToken cancellationToken)
    {
        client.DropPendingEvents();
        await client.CommandAsync("SIGNAL NEWNYM", cancellationToken).ConfigureAwait(false);
        await client.WaitForEventAsync(ControlEvents.IsNewnymApplied, s_newnymBound, "SIGNAL NEWNYM event", cancellationToken).ConfigureAwait(false);

        var start = Stopwatch.GetTimestamp();
        using var socket = await ConnectOnionAsync(network, onion, OnionServiceTargets.EchoVirtualPort, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(new byte[] { 0x2a }, cancellationToken).ConfigureAwait(false);
        var answer = new byte[1];
        await SocketReads.ReadExactlyAsync(socket, answer, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return answer[0] == 0x2a ? elapsed : throw new TorBenchmarkException("The first echo came back different from what was sent.");
    }

    private static async Task<Socket> ConnectOnionAsync(TorNetwork network, string onion, int port, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(s_connectBound);
        try
        {
            return await Socks5.ConnectAsync(network.Client.SocksPort, onion, port, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TorBenchmarkException($"No connection to the onion service's port {port} within {s_connectBound.TotalSeconds:0} s.");
        }
    }

    /// <summary>
    /// Pushes <see cref="BulkBytes"/> to the sink (port 9) and waits for its acknowledgement; the relays' CPU time is read
    /// just before the first byte and just after the acknowledgement, their resident size after it.
    /// </summary>
    private async Task MeasureBulkAsync(TorNetwork network, BulkSink sink, string onion, BenchResult result, CancellationToken cancellationToken)
    {
        var relays = network.RelayProcesses;
        using var socket = await ConnectOnionAsync(network, onion, OnionServiceTargets.SinkVirtualPort, cancellationToken).ConfigureAwait(false);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(s_bulkBound);
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        var header = new byte[BulkSink.LengthSize];
        BinaryPrimitives.WriteInt64BigEndian(header, BulkBytes);
        var acknowledgement = new byte[1];

        var sinkBefore = sink.ReceivedBytes;
        var cpuBefore = relays.Sum(p => ProcessFigures.CpuSeconds(p.Id));
        var start = Stopwatch.GetTimestamp();
        try
        {
            await socket.SendAsync(header, bound.Token).ConfigureAwait(false);
            for (var sent = 0L; sent < BulkBytes;)
            {
                var size = (int)Math.Min(chunk.Length, BulkBytes - sent);
                sent += await socket.SendAsync(chunk.AsMemory(0, size), bound.Token).ConfigureAwait(false);
            }

            // tor's client takes tens of MB into its own buffers at once; what has arrived at the sink shows the progress.
            var acknowledged = SocketReads.ReadExactlyAsync(socket, acknowledgement, bound.Token);
            while (await Task.WhenAny(acknowledged, Task.Delay(s_bulkReportEvery, bound.Token)).ConfigureAwait(false) != acknowledged)
            {
                Progress(string.Create(
                    CultureInfo.InvariantCulture,
                    $"bulk: {(sink.ReceivedBytes - sinkBefore) / 1e6:0.0} MB at the sink after {Stopwatch.GetElapsedTime(start).TotalSeconds:0} s"));
            }

            await acknowledged.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TorBenchmarkException($"The bulk transfer did not finish within {s_bulkBound.TotalSeconds:0} s.");
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = relays.Sum(p => ProcessFigures.CpuSeconds(p.Id)) - cpuBefore;
        if (acknowledgement[0] != BulkSink.Acknowledgement)
        {
            throw new TorBenchmarkException($"The sink acknowledged with 0x{acknowledgement[0]:x2}.");
        }

        const double megabytes = BulkBytes / 1e6;
        result.Add("bulk_MBps", megabytes / seconds);
        result.Add("relay_cpu_s_per_MB", cpu / megabytes);
        result.Add("relay_cpu_s_per_MB_per_hop", cpu / megabytes / HopsOnOnionPath);
        result.Add("relay_rss_MB", Statistics.Median([.. relays.Select(p => ProcessFigures.ResidentMegabytes(p.Id))]));
        Progress(string.Create(
            CultureInfo.InvariantCulture,
            $"bulk: {megabytes:0} MB in {seconds:0.00} s ({megabytes / seconds:0.00} MB/s); relays used {cpu:0.00} CPU s"));
    }

    private void Progress(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Stopwatch.GetElapsedTime(_runStarted).TotalSeconds,6:0.0} s] {message}"));
}
