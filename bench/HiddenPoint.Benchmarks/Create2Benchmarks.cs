using System.Net;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Testing;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// CREATE2 on a relay. <see cref="Respond"/>: the engine's handshake step alone (parse, ntor v3 with the CGO
/// extension, CREATED2 body, 160 bytes of CGO keys and KH, the hop's key schedule). <see cref="ThroughEngine"/>: a
/// batch of CREATE2 cells over a loopback client link to a real engine (read loop, queue, worker, circuit start,
/// CREATED2 back), each circuit then abandoned with DESTROY. The client reuses one handshake, which the relay
/// answers with fresh keys each time, so that the client's cost stays out of the figure.
/// </summary>
[MemoryDiagnoser]
public class Create2Benchmarks
{
    /// <summary>CREATE2 cells per <see cref="ThroughEngine"/> invocation.</summary>
    public const int Batch = 256;

    private readonly byte[] _created = new byte[Cell.BodyLength];
    private readonly byte[] _bindingKey = new byte[CircuitKeySchedule.BindingKeyLength];
    private readonly List<PendingCircuit> _pending = new(Batch);
    private readonly Task<CircuitCreateResponse>[] _responses = new Task<CircuitCreateResponse>[Batch];
    private TestRelayKeys _keys = null!;
    private CircuitHandshakeResponder _responder = null!;
    private byte[] _create2 = null!;
    private TestRelay _relay = null!;
    private Originator _client = null!;
    private Link _clientLink = null!;
    private byte[] _engineHandshake = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = new TestRelayKeys();
        _responder = new CircuitHandshakeResponder(_keys);
        var status = new HiddenPoint.Protocol.Documents.RelayStatus(_keys.Id, "bench", [new(IPAddress.Loopback, 9001)],
            _keys.Current.LinkKey.Public, _keys.Current.CircuitHandshakeKey.Public, HiddenPoint.Protocol.Documents.RelayFlags.Running, 1);
        using (var handshake = HopHandshake.Start(status))
        {
            _create2 = new byte[Cell.BodyLength];
            new Create2Body(HandshakeType.NtorV3, handshake.Message).Encode(_create2);
        }

        _relay = RelayBench.StartRelay(0, new RelayForwardingBenchmarks.CountingRole());
        RelayNetwork.Publish([_relay]);
        _client = new Originator(RelayBench.Unthrottled);
        _clientLink = _client.ConnectAsync(_relay.Status).GetAwaiter().GetResult();
        using var engineHandshake = HopHandshake.Start(_relay.Status);
        _engineHandshake = engineHandshake.Message;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relay.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _keys.Dispose();
    }

    /// <summary>One CREATE2 answered by the responder.</summary>
    [Benchmark]
    public void Respond()
    {
        if (_responder.TryRespond(_create2, _created, _bindingKey, out var hop) != HandshakeFailure.None)
        {
            throw new InvalidOperationException("handshake refused");
        }

        hop!.Dispose();
    }

    /// <summary><see cref="Batch"/> CREATE2 through a real engine; one operation is one circuit created.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task ThroughEngine()
    {
        _pending.Clear();
        for (var i = 0; i < Batch; i++)
        {
            if (!_clientLink.TryBeginCircuit(out var pending))
            {
                throw new InvalidOperationException("no circuit id");
            }

            var create = _clientLink.Pool.Rent();
            new Create2Body(HandshakeType.NtorV3, _engineHandshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
            await _clientLink.SendAsync(create).ConfigureAwait(false);
            _pending.Add(pending);
            _responses[i] = pending.Response;
        }

        var responses = await Task.WhenAll(_responses).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        for (var i = 0; i < Batch; i++)
        {
            if (responses[i].Failure != CircuitCloseReason.None)
            {
                throw new InvalidOperationException("CREATE2 refused: " + responses[i].DestroyReason);
            }

            _clientLink.Pool.Return(responses[i].Created2);
            await _clientLink.AbandonAsync(_pending[i]).ConfigureAwait(false);
        }
    }
}
