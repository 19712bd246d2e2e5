using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// DATA through a one-hop circuit on a loopback link, both ends in this process: the client reactor originates
/// (CGO, window accounting), the link carries the cell, the relay reactor recognises it and hands it to the
/// handler, and a SENDME goes back every 100 cells. One operation is one DATA cell.
/// </summary>
[MemoryDiagnoser]
public class CircuitBenchmarks
{
    /// <summary>Cells per benchmark invocation.</summary>
    public const int CellsPerInvoke = 10_000;

    private readonly CountingHandler _relayHandler = new();
    private LinkRuntime _runtime = null!;
    private TestMeterFactory _meters = null!;
    private Link _clientLink = null!;
    private Link _relayLink = null!;
    private ClientCircuitReactor _circuit = null!;
    private HiddenPoint.Crypto.Keys.LinkKey _relayKey = null!;
    private byte[] _payload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _meters = new TestMeterFactory();
        var linkOptions = new LinkOptions { MaxCellsPerSecond = 10_000_000, CellBurst = 10_000_000 };
        _runtime = new LinkRuntime(Options.Create(linkOptions), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, _meters);
        _payload = RandomNumberGenerator.GetBytes(RelayCell.MaxDataWithStream);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        client.Connect(listener.LocalEndPoint!);
        var server = accept.GetAwaiter().GetResult();
        _relayKey = HiddenPoint.Crypto.Keys.LinkKey.Generate();
        var relayPublic = _relayKey.Public;
        var keyMaterial = RandomNumberGenerator.GetBytes(CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128));
        var acceptor = new Acceptor(keyMaterial, _relayHandler);
        var accepted = _runtime.AcceptAsync(LinkTransport.FromSocket(server), _relayKey, AcceptedLinkKinds.All, acceptor);
        var connected = _runtime.ConnectAsync(LinkTransport.FromSocket(client), LinkKind.ClientToRelay, relayPublic, null);
        _clientLink = connected.GetAwaiter().GetResult().Link ?? throw new InvalidOperationException("connect failed");
        _relayLink = accepted.GetAwaiter().GetResult().Link ?? throw new InvalidOperationException("accept failed");

        if (!_clientLink.TryBeginCircuit(out var pending))
        {
            throw new InvalidOperationException("no circuit id");
        }

        var create = _clientLink.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, keyMaterial).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        _clientLink.SendAsync(create).AsTask().GetAwaiter().GetResult();
        var response = pending.Response.GetAwaiter().GetResult();
        _clientLink.Pool.Return(response.Created2);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        _circuit = _clientLink.OpenClientCircuit(pending, crypto, new CountingHandler()) ?? throw new InvalidOperationException("circuit not opened");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _circuit.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _clientLink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relayLink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _runtime.Dispose();
        _meters.Dispose();
        _relayKey.Dispose();
    }

    /// <summary>Sends <see cref="CellsPerInvoke"/> full DATA cells to hop 0 and waits until the relay's handler has them all.</summary>
    [Benchmark(OperationsPerInvoke = CellsPerInvoke)]
    public async Task OneHopData()
    {
        var arrived = _relayHandler.Expect(CellsPerInvoke);
        var pool = _clientLink.Pool;
        for (var i = 0; i < CellsPerInvoke; i++)
        {
            var cell = pool.Rent();
            RelayCell.Encode(cell.Body, RelayCommand.Data, new StreamId(1), _payload, RandomPaddingSource.Instance);
            if (await _circuit.SendAsync(HopIndex.First, cell).ConfigureAwait(false) != CircuitSendResult.Queued)
            {
                throw new InvalidOperationException("the circuit closed");
            }
        }

        await arrived.ConfigureAwait(false);
    }

    private sealed class CountingHandler : ICircuitHandler
    {
        private long _count;
        private long _target = long.MaxValue;
        private TaskCompletionSource _done = new();

        public Task Expect(int cells)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, Volatile.Read(ref _count) + cells);
            return _done.Task;
        }

        public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
        {
            if (++_count >= Volatile.Read(ref _target))
            {
                _done.TrySetResult();
            }

            return true;
        }

        public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => _done.TrySetResult();
    }

    private sealed class Acceptor(byte[] keyMaterial, ICircuitHandler handler) : ILinkHandler
    {
        public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2)
        {
            link.Pool.Return(create2);
            var created = link.Pool.Rent();
            new Created2Body([]).Encode(created.Body);
            link.AcceptRelayCircuit(circuitId, new CgoRelayHop(keyMaterial), created, handler);
        }
    }
}
