using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// One client link on loopback, both ends in this process: cells pushed one way through the whole link path (queue,
/// writer, AES-GCM seal, socket, read loop, open, decode, dispatch). One operation is one cell; MB/s is
/// 514 × cells/s. The receiver counts arrivals through the runtime's own <c>hpc.link.cells_in</c> counter.
/// </summary>
[MemoryDiagnoser]
public class LinkBenchmarks
{
    /// <summary>Cells per benchmark invocation.</summary>
    public const int CellsPerInvoke = 20_000;

    private LinkRuntime _runtime = null!;
    private TestMeterFactory _meters = null!;
    private MeterListener _listener = null!;
    private Link _sender = null!;
    private Link _receiver = null!;
    private HiddenPoint.Crypto.Keys.LinkKey _relayKey = null!;
    private long _received;
    private long _target;
    private TaskCompletionSource _arrived = new();

    [GlobalSetup]
    public void Setup()
    {
        _meters = new TestMeterFactory();
        var linkOptions = new LinkOptions { MaxCellsPerSecond = 10_000_000, CellBurst = 10_000_000, OutboundQueueCapacity = 4_096, MaxCellsPerFlush = 256 };
        _runtime = new LinkRuntime(Options.Create(linkOptions), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, _meters);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NetworkMetrics.MeterName && instrument.Name == "hpc.link.cells_in")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Interlocked.Add(ref _received, value) >= Volatile.Read(ref _target))
            {
                _arrived.TrySetResult();
            }
        });
        _listener.Start();

        using var listenerSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listenerSocket.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listenerSocket.AcceptAsync();
        client.Connect(listenerSocket.LocalEndPoint!);
        var server = accept.GetAwaiter().GetResult();
        _relayKey = HiddenPoint.Crypto.Keys.LinkKey.Generate();
        var relayPublic = _relayKey.Public;
        var accepted = _runtime.AcceptAsync(LinkTransport.FromSocket(server), _relayKey, AcceptedLinkKinds.All, null);
        var connected = _runtime.ConnectAsync(LinkTransport.FromSocket(client), LinkKind.ClientToRelay, relayPublic, null);
        _sender = connected.GetAwaiter().GetResult().Link ?? throw new InvalidOperationException("connect failed");
        _receiver = accepted.GetAwaiter().GetResult().Link ?? throw new InvalidOperationException("accept failed");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _listener.Dispose();
        _runtime.Dispose();
        _meters.Dispose();
        _relayKey.Dispose();
    }

    /// <summary>Pushes <see cref="CellsPerInvoke"/> PADDING cells and waits until the far end has read them all.</summary>
    [Benchmark(OperationsPerInvoke = CellsPerInvoke)]
    public async Task OneWayCells()
    {
        _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, Volatile.Read(ref _received) + CellsPerInvoke);
        var pool = _sender.Pool;
        for (var i = 0; i < CellsPerInvoke; i++)
        {
            var cell = pool.Rent();
            Cell.WriteHeader(cell.Span, null, CellCommand.Padding);
            if (!_sender.TrySend(cell) && !await _sender.SendAsync(cell).ConfigureAwait(false))
            {
                throw new InvalidOperationException("the link closed");
            }
        }

        await _arrived.Task.ConfigureAwait(false);
    }
}
