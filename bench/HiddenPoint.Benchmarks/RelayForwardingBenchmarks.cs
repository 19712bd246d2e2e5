using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// RELAY cells forwarded by a real relay engine between two loopback links with CGO applied: a client circuit
/// through relay A (the relay measured: it peels its layer, finds the cell is not its own, and forwards it on its
/// relay link) to relay B, which recognises each cell. The cells are full DATA cells, so the circuit's window (1,000
/// cells, a SENDME from B every 100) bounds what is in flight, as on the network. Everything runs in this process on one core, so one operation
/// also pays for the client's two CGO layers, both links' sealing and opening, and B's recognition: the figure is a
/// lower bound for A alone. One operation is one cell.
/// </summary>
[MemoryDiagnoser]
public class RelayForwardingBenchmarks
{
    /// <summary>Cells per benchmark invocation.</summary>
    public const int CellsPerInvoke = 10_000;

    private readonly CountingRole _exitRole = new();
    private TestRelay _relayA = null!;
    private TestRelay _relayB = null!;
    private Originator _client = null!;
    private ClientCircuit _circuit = null!;
    private readonly byte[] _payload = new byte[RelayCell.MaxDataWithStream];

    [GlobalSetup]
    public void Setup()
    {
        _relayA = RelayBench.StartRelay(0, new CountingRole());
        _relayB = RelayBench.StartRelay(1, _exitRole);
        RelayNetwork.Publish([_relayA, _relayB]);
        _client = new Originator(RelayBench.Unthrottled);
        _circuit = _client.BuildAsync([_relayA.Status, _relayB.Status]).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relayA.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relayB.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Sends <see cref="CellsPerInvoke"/> cells to hop 2 and waits until relay B has recognised them all.</summary>
    [Benchmark(OperationsPerInvoke = CellsPerInvoke)]
    public async Task ForwardThroughOneRelay()
    {
        var arrived = _exitRole.Expect(CellsPerInvoke);
        var circuit = _circuit.Reactor;
        var pool = circuit.Pool;
        for (var i = 0; i < CellsPerInvoke; i++)
        {
            // Straight to the reactor, as a stream's sender does: the figure is the relay's, not a stream's.
            var cell = pool.Rent();
            RelayCell.Encode(cell.Body, RelayCommand.Data, new StreamId(1), _payload, RandomPaddingSource.Instance);
            if (await circuit.SendAsync(new HopIndex(1), cell).ConfigureAwait(false) != CircuitSendResult.Queued)
            {
                throw new InvalidOperationException("the circuit closed");
            }
        }

        await arrived.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    /// <summary>Counts the messages a relay's roles are given; answers nothing.</summary>
    internal sealed class CountingRole : IRelayMessageRole
    {
        private long _count;
        private long _target = long.MaxValue;
        private TaskCompletionSource _done = new();

        public Task Expect(int messages)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, Volatile.Read(ref _count) + messages);
            return _done.Task;
        }

        public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
        {
            if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _target))
            {
                _done.TrySetResult();
            }

            return true;
        }

        public void OnCircuitClosed(RelayCircuitContext circuit) => _done.TrySetResult();
    }
}
