using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The client API over real relay engines in this process, on loopback: building a three-hop circuit through the
/// handle, and a circuit joined at a rendezvous point (the client's guard, middle and rendezvous point; the host's two
/// relays and the same rendezvous point: six relay hops, and the end-to-end hop) carrying a stream each way.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClientCircuitBenchmarks
{
    /// <summary>Full DATA cells of stream payload pushed per <see cref="JoinedStreamOneWay"/> invocation.</summary>
    public const int BulkCells = 4_000;

    /// <summary>Bytes a full DATA cell carries.</summary>
    public const int CellPayload = 488;

    private readonly byte[] _bulk = new byte[BulkCells * CellPayload];
    private readonly byte[] _ping = new byte[100];
    private readonly byte[] _pong = new byte[100];
    private TestRelay[] _nodes = null!;
    private Originator _client = null!;
    private Originator _host = null!;
    private Link _guardLink = null!;
    private JoinedPair _pair = null!;
    private CircuitStream _bulkAtClient = null!;
    private CircuitStream _echoAtClient = null!;
    private Sink _sink = null!;
    private Task _echo = Task.CompletedTask;

    [GlobalSetup]
    public void Setup()
    {
        var role = new RelayForwardingBenchmarks.CountingRole();
        var rendezvous = new RendezvousPointRole(
            Microsoft.Extensions.Options.Options.Create(new HiddenPointRoleOptions()), TimeProvider.System, NullLogger<RendezvousPointRole>.Instance, new TestMeterFactory());
        _nodes = [.. Enumerable.Range(0, 5).Select(i => RelayBench.StartRelay(i, role, i == 2 ? rendezvous : null))];
        RelayNetwork.Publish(_nodes);
        _client = new Originator(RelayBench.Unthrottled);
        _host = new Originator(RelayBench.Unthrottled);
        _guardLink = _client.ConnectAsync(Status(0)).GetAwaiter().GetResult();

        _pair = JoinedPair.ConnectAsync(_client, _host, [Status(0), Status(1), Status(2)], [Status(3), Status(4), Status(2)]).GetAwaiter().GetResult();
        (_bulkAtClient, var bulkAtHost) = _pair.OpenAsync(1).GetAwaiter().GetResult();
        (_echoAtClient, var echoAtHost) = _pair.OpenAsync(7).GetAwaiter().GetResult();
        _sink = new Sink(bulkAtHost.Input);
        _echo = EchoAsync(echoAtHost);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pair.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var node in _nodes)
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>A three-hop circuit built through the handle over an open link to the guard, then closed.</summary>
    [Benchmark]
    public async Task BuildThreeHops()
    {
        var circuit = await ClientCircuit.CreateAsync(_guardLink, Status(0)).ConfigureAwait(false);
        await circuit.ExtendAsync(Status(1)).ConfigureAwait(false);
        await circuit.ExtendAsync(Status(3)).ConfigureAwait(false);
        await circuit.CloseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="BulkCells"/> full cells of payload from the client to the host over the joined circuit, until the host
    /// has read them all. One operation is one cell (488 bytes of payload).
    /// </summary>
    [Benchmark(OperationsPerInvoke = BulkCells)]
    public async Task JoinedStreamOneWay()
    {
        var arrived = _sink.Expect(_bulk.Length);
        await StreamIo.WriteAllAsync(_bulkAtClient.Output, _bulk, piece: 64 * CellPayload).ConfigureAwait(false);
        await arrived.ConfigureAwait(false);
    }

    /// <summary>100 bytes from the client to the host and back over the joined circuit.</summary>
    [Benchmark]
    public async Task JoinedRoundTrip100Bytes()
    {
        await _echoAtClient.Output.WriteAsync(_ping).ConfigureAwait(false);
        await StreamIo.ReadExactlyAsync(_echoAtClient.Input, _pong).ConfigureAwait(false);
    }

    private static async Task EchoAsync(CircuitStream stream)
    {
        var reader = stream.Input;
        var writer = stream.Output;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                return;
            }

            foreach (var segment in result.Buffer)
            {
                writer.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            await writer.FlushAsync().ConfigureAwait(false);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private RelayStatus Status(int index) => _nodes[index].Status;

    /// <summary>Reads a stream as fast as it comes and says when a number of bytes has arrived.</summary>
    private sealed class Sink
    {
        private readonly PipeReader _reader;
        private long _received;
        private long _target = long.MaxValue;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Sink(PipeReader reader)
        {
            _reader = reader;
            _ = RunAsync();
        }

        public Task Expect(long bytes)
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, Volatile.Read(ref _received) + bytes);
            return _reached.Task;
        }

        private async Task RunAsync()
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await _reader.ReadAsync().ConfigureAwait(false);
                }
                catch (IOException)
                {
                    _reached.TrySetException(new IOException("the stream ended"));
                    return;
                }

                var received = Interlocked.Add(ref _received, result.Buffer.Length);
                _reader.AdvanceTo(result.Buffer.End);
                if (received >= Volatile.Read(ref _target))
                {
                    _reached.TrySetResult();
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
    }
}
