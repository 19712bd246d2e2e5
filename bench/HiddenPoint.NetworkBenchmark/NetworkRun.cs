using System.Buffers.Binary;
using System.Diagnostics;
using HiddenPoint.Client;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Network.Streams;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// The whole run: fresh networks for <c>bootstrap_s</c> and <c>hs_publish_s</c>, then on the last of them every other
/// figure, each measured as docs/benchmarks.md defines it and docs/performance.md says how. Every process it starts is
/// stopped and its folder removed whatever happens.
/// </summary>
internal sealed class NetworkRun
{
    private const int CircuitBuilds = 20;
    private const int EchoMessages = 200;
    private const int MessageBytes = 100;
    private const int BulkChunk = 64 * 1024;
    private const int RelaysOnJoinedPath = 6;
    private const double Megabyte = 1_000_000;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly bool _quick;
    private readonly string? _jsonPath;
    private readonly int? _bulkMegabytes;
    private readonly TextWriter _output;
    private readonly TextWriter _progress;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly byte[] _message = new byte[MessageBytes];

    public NetworkRun(bool quick, string? jsonPath, int? bulkMegabytes, TextWriter output, TextWriter progress)
    {
        _quick = quick;
        _jsonPath = jsonPath;
        _bulkMegabytes = bulkMegabytes;
        _output = output;
        _progress = progress;
        _message.AsSpan().Fill((byte)'e');
    }

    private int Networks => _quick ? 1 : 5;

    private int Connects => _quick ? 6 : 10;

    private long BulkBytes => (_bulkMegabytes ?? (_quick ? 10 : 50)) * (long)Megabyte;

    private int Messages => _quick ? 500 : 3_000;

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var folder = Directory.CreateTempSubdirectory("hpc-netbench-");
        var results = new BenchResults { System = "hpc", Machine = ProcessFigures.Machine(), Quick = _quick };
        Say($"machine {results.Machine}; load average {ProcessFigures.LoadAverage()}; folder {folder.FullName}");
        try
        {
            var bootstrap = new List<double>();
            var publish = new List<double>();
            for (var n = 1; n <= Networks; n++)
            {
                var last = n == Networks;
                var network = await BenchNetwork.StartAsync(Path.Combine(folder.FullName, $"network{n}"), cancel).ConfigureAwait(false);
                await using (network.ConfigureAwait(false))
                {
                    Say($"network {n}/{Networks}: 3 authorities and {BenchNetwork.Relays} relays started");
                    var host = HostProcess.Start(Path.Combine(network.Directory, "host"), network.ClientAuthorities(), Path.Combine(network.Directory, "logs", "host.log"));
                    await using (host.ConfigureAwait(false))
                    {
                        var (client, meters) = await BootstrapAsync(network, host, Path.Combine(network.Directory, "client"), bootstrap, cancel).ConfigureAwait(false);
                        using (meters)
                        await using (client.ConfigureAwait(false))
                        {
                            var published = await WaitAsync(host.Published, network, host, "the host's descriptor to be stored", cancel).ConfigureAwait(false);
                            publish.Add(Stopwatch.GetElapsedTime(network.StartedAt, published).TotalSeconds);
                            Say($"network {n}: client ready {bootstrap[^1]:0.00} s, host published {publish[^1]:0.00} s after the start");
                            if (last)
                            {
                                await MeasureAsync(network, host, client, results, cancel).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }

            results.Figures["bootstrap_s"] = Statistics.Median(bootstrap);
            results.Figures["hs_publish_s"] = Statistics.Median(publish);
            results.Samples["bootstrap_s"] = bootstrap;
            Say($"done in {Stopwatch.GetElapsedTime(_started).TotalSeconds:0} s; load average {ProcessFigures.LoadAverage()}");
            _output.WriteLine(BenchResults.BlockStart);
            results.WriteLines(_output, "hpc");
            _output.WriteLine(BenchResults.BlockEnd);
            if (_jsonPath is not null)
            {
                results.Write(_jsonPath);
                Say($"samples written to {_jsonPath}");
            }

            return ExitCodes.Ok;
        }
        catch (BenchmarkException e)
        {
            await _progress.WriteLineAsync("hpc-bench: failed: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // Everything after the network is up, on the last network.
    private async Task MeasureAsync(BenchNetwork network, HostProcess host, ClientCore client, BenchResults results, CancellationToken cancel)
    {
        var hiddenId = await host.HiddenId.ConfigureAwait(false);
        results.Figures["client_join_s"] = await JoinAsync(network, cancel).ConfigureAwait(false);
        Say($"a fresh client joined the running network in {results.Figures["client_join_s"]:0.00} s");

        var builds = await BuildCircuitsAsync(client, cancel).ConfigureAwait(false);
        results.Samples["circuit_build_ms"] = builds;
        results.Figures["circuit_build_ms_median"] = Statistics.Median(builds);
        Say($"{CircuitBuilds} three-hop circuits: median {results.Figures["circuit_build_ms_median"]:0.0} ms");

        var (connects, connection, echo) = await ConnectAsync(network, host, client, hiddenId, cancel).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            results.Samples["onion_connect_ms"] = connects;
            results.Figures["onion_connect_ms_median"] = Statistics.Median(connects);
            Say($"{Connects} connects with fresh circuits: median {results.Figures["onion_connect_ms_median"]:0.0} ms");

            var rtt = await RoundTripsAsync(echo, cancel).ConfigureAwait(false);
            results.Samples["rtt_ms"] = rtt;
            results.Figures["rtt_ms_median"] = Statistics.Median(rtt);
            results.Figures["rtt_ms_p99"] = Statistics.Percentile(rtt, 99);
            Say($"{EchoMessages} echoes: median {results.Figures["rtt_ms_median"]:0.00} ms, p99 {results.Figures["rtt_ms_p99"]:0.00} ms");
            await echo.DisposeAsync().ConfigureAwait(false);

            await BulkAsync(network, connection, results, cancel).ConfigureAwait(false);
        }

        results.Figures["messages_per_s"] = await MessagingMeasurement.RunAsync(network, Messages, Say, cancel).ConfigureAwait(false);
        Say($"{Messages} messages on one conversation: {results.Figures["messages_per_s"]:0} per second");
        network.CheckAlive();
        host.CheckAlive();
    }

    // Start of the processes → a verified consensus held and a three-hop circuit built by a client started with them.
    private static async Task<(ClientCore Client, TestMeterFactory Meters)> BootstrapAsync(
        BenchNetwork network, HostProcess host, string dataDirectory, List<double> samples, CancellationToken cancel)
    {
        var meters = new TestMeterFactory();
        var client = ClientCore.Create(BenchClientOptions.Create(dataDirectory, network.ClientAuthorities(), poolSize: 0), TimeProvider.System, NullLoggerFactory.Instance, meters);
        try
        {
            await UntilReadyAsync(client, network, host, cancel).ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(network.StartedAt).TotalSeconds);
            return (client, meters);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            meters.Dispose();
            throw;
        }
    }

    private static async Task UntilReadyAsync(ClientCore client, BenchNetwork network, HostProcess? host, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(StepTimeout);
        try
        {
            var starting = client.StartAsync(bound.Token);
            while (!starting.IsCompleted)
            {
                network.CheckAlive();
                host?.CheckAlive();
                await Task.WhenAny(starting, Task.Delay(RetryPause, bound.Token)).ConfigureAwait(false);
            }

            await starting.ConfigureAwait(false);
            while (true)
            {
                try
                {
                    var circuit = await client.Circuits.BuildAsync(CircuitPurpose.General, null, bound.Token).ConfigureAwait(false);
                    await circuit.Circuit.DisposeAsync().ConfigureAwait(false);
                    return;
                }
                catch (CircuitBuildException)
                {
                    // The first consensus may list too few relays for a path: wait for the next.
                    network.CheckAlive();
                    await Task.Delay(RetryPause, bound.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new BenchmarkException($"the client was not ready within {StepTimeout.TotalSeconds:0} s; the authorities' logs are in {network.Directory}/logs.");
        }
    }

    // A fresh client (its own folder, nothing cached) joining the running network → ready as in bootstrap_s.
    private static async Task<double> JoinAsync(BenchNetwork network, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        using var meters = new TestMeterFactory();
        var client = ClientCore.Create(BenchClientOptions.Create(Path.Combine(network.Directory, "joining"), network.ClientAuthorities(), poolSize: 0), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using (client.ConfigureAwait(false))
        {
            await UntilReadyAsync(client, network, null, cancel).ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }

    private static async Task<List<double>> BuildCircuitsAsync(ClientCore client, CancellationToken cancel)
    {
        var samples = new List<double>(CircuitBuilds);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(StepTimeout);
        for (var i = 0; i < CircuitBuilds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var circuit = await client.Circuits.BuildAsync(CircuitPurpose.General, null, bound.Token).ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await circuit.Circuit.DisposeAsync().ConfigureAwait(false);
        }

        return samples;
    }

    // Descriptor fetch, rendezvous, introduction on circuits built for the connect (the pool is off, and the connector
    // keeps no descriptor), then a stream to the echo port and the first 100-byte echo. The last connection stays open
    // for the round trips and the bulk transfer.
    private async Task<(List<double> Samples, HiddenPointConnection Connection, CircuitStream Echo)> ConnectAsync(
        BenchNetwork network, HostProcess host, ClientCore client, string hiddenId, CancellationToken cancel)
    {
        var samples = new List<double>(Connects);
        for (var i = 0; ; i++)
        {
            network.CheckAlive();
            host.CheckAlive();
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            bound.CancelAfter(StepTimeout);
            var started = Stopwatch.GetTimestamp();
            var connection = await client.Connector.ConnectAsync(hiddenId, bound.Token).ConfigureAwait(false);
            try
            {
                var echo = await connection.OpenStreamAsync(HostChild.EchoPort, bound.Token).ConfigureAwait(false);
                await EchoOnceAsync(echo, _message, bound.Token).ConfigureAwait(false);
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (i == Connects - 1)
                {
                    return (samples, connection, echo);
                }

                await echo.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<List<double>> RoundTripsAsync(CircuitStream echo, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(StepTimeout);
        var samples = new List<double>(EchoMessages);
        for (var i = 0; i < EchoMessages; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await EchoOnceAsync(echo, _message, bound.Token).ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return samples;
    }

    private static async Task EchoOnceAsync(CircuitStream stream, ReadOnlyMemory<byte> message, CancellationToken cancel)
    {
        await stream.Output.WriteAsync(message, cancel).ConfigureAwait(false);
        long needed = message.Length;
        while (needed > 0)
        {
            var read = await stream.Input.ReadAsync(cancel).ConfigureAwait(false);
            var take = Math.Min(needed, read.Buffer.Length);
            needed -= take;
            stream.Input.AdvanceTo(read.Buffer.GetPosition(take));
            if (needed > 0 && read.IsCompleted)
            {
                throw new BenchmarkException("the echo stream ended before the whole message came back.");
            }
        }
    }

    // BulkBytes to the sink: the 8-byte length, the bytes, then its one-byte acknowledgement. The relays' CPU time is
    // read just before the first byte is sent and just after the acknowledgement arrived.
    private async Task BulkAsync(BenchNetwork network, HiddenPointConnection connection, BenchResults results, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(StepTimeout);
        var chunk = new byte[BulkChunk];
        chunk.AsSpan().Fill((byte)'b');
        var sink = await connection.OpenStreamAsync(HostChild.SinkPort, bound.Token).ConfigureAwait(false);
        await using (sink.ConfigureAwait(false))
        {
            var relays = network.RelayProcessIds;
            var cpuBefore = ProcessFigures.CpuSeconds(relays);
            var started = Stopwatch.GetTimestamp();
            var header = new byte[sizeof(long)];
            BinaryPrimitives.WriteInt64BigEndian(header, BulkBytes);
            await sink.Output.WriteAsync(header, bound.Token).ConfigureAwait(false);
            for (long sent = 0; sent < BulkBytes; sent += BulkChunk)
            {
                var size = (int)Math.Min(BulkChunk, BulkBytes - sent);
                var flushed = await sink.Output.WriteAsync(chunk.AsMemory(0, size), bound.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    throw new BenchmarkException("the sink stream ended during the bulk transfer.");
                }
            }

            var ack = await sink.Input.ReadAtLeastAsync(1, bound.Token).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = ProcessFigures.CpuSeconds(relays) - cpuBefore;
            if (ack.Buffer.Length < 1 || ack.Buffer.FirstSpan[0] != HostChild.Acknowledgement)
            {
                throw new BenchmarkException("the sink did not acknowledge the bulk transfer.");
            }

            sink.Input.AdvanceTo(ack.Buffer.End);
            var megabytes = BulkBytes / Megabyte;
            results.Figures["bulk_MBps"] = megabytes / elapsed;
            results.Figures["relay_cpu_s_per_MB"] = cpu / megabytes;
            results.Figures["relay_cpu_s_per_MB_per_hop"] = cpu / megabytes / RelaysOnJoinedPath;
            results.Figures["relay_rss_MB"] = Statistics.Median([.. relays.Select(ProcessFigures.ResidentMegabytes)]);
            Say($"{megabytes:0} MB to the sink in {elapsed:0.00} s: {results.Figures["bulk_MBps"]:0.0} MB/s; relays' CPU {cpu:0.00} s; "
                + $"relays' median RSS {results.Figures["relay_rss_MB"]:0} MB");
        }
    }

    private static async Task<T> WaitAsync<T>(Task<T> task, BenchNetwork network, HostProcess host, string what, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        while (!task.IsCompleted)
        {
            network.CheckAlive();
            host.CheckAlive();
            if (Stopwatch.GetElapsedTime(started) > StepTimeout)
            {
                throw new BenchmarkException($"waited {StepTimeout.TotalSeconds:0} s for {what}; the host's log:{Environment.NewLine}{BenchNetwork.LogTail(host.LogFile)}");
            }

            await Task.WhenAny(task, Task.Delay(RetryPause, cancel)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
        }

        return await task.ConfigureAwait(false);
    }

    private void Say(string line) =>
        _progress.WriteLine(FormattableString.Invariant($"[{Stopwatch.GetElapsedTime(_started).TotalSeconds,6:0.0} s] {line}"));
}
