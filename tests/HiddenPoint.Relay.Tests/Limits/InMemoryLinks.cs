using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Threading.Channels;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.Limits;

/// <summary>Real links over in-memory pipes, and relays that accept every CREATE2, for the memory-limit tests.</summary>
internal static class InMemoryLinks
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static LinkRuntime Runtime(ScopedMeterFactory meters, Action<CircuitOptions>? circuit = null, Action<LinkOptions>? link = null)
    {
        var circuitOptions = new CircuitOptions();
        circuit?.Invoke(circuitOptions);
        var linkOptions = new LinkOptions();
        link?.Invoke(linkOptions);
        return new LinkRuntime(Options.Create(linkOptions), Options.Create(circuitOptions), TimeProvider.System, NullLoggerFactory.Instance, meters);
    }

    /// <summary>Opens a link; <paramref name="initiatorInput"/>, when given, wraps what the initiator reads.</summary>
    public static async Task<(Link Initiator, Link Responder)> OpenAsync(
        LinkRuntime runtime, LinkKind kind, ILinkHandler responderHandler, Func<PipeReader, PipeReader>? initiatorInput = null)
    {
        var ab = new Pipe();
        var ba = new Pipe();
        var initiatorReader = initiatorInput is null ? ba.Reader : initiatorInput(ba.Reader);
        var a = LinkTransport.FromDuplexPipe(new Duplex(initiatorReader, ab.Writer));
        var b = LinkTransport.FromDuplexPipe(new Duplex(ab.Reader, ba.Writer));
        using var responderKey = LinkKey.Generate();
        using var initiatorKey = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, responderKey, AcceptedLinkKinds.All, responderHandler);
        var connect = runtime.ConnectAsync(a, kind, responderKey.Public, kind == LinkKind.RelayToRelay ? initiatorKey : null);
        var initiator = await connect.WaitAsync(Timeout);
        var responder = await accept.WaitAsync(Timeout);
        Assert.True(initiator.IsOpen && responder.IsOpen);
        return (initiator.Link!, responder.Link!);
    }

    /// <summary>Sends CREATE2 (the key material in the clear, standing in for ntor v3) and waits for CREATED2.</summary>
    public static async Task<(PendingCircuit Pending, byte[] KeyMaterial)> CreateAsync(Link link)
    {
        var keyMaterial = RandomNumberGenerator.GetBytes(CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128));
        Assert.True(link.TryBeginCircuit(out var pending));
        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, keyMaterial).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        Assert.True(await link.SendAsync(create));
        var response = await pending.Response.WaitAsync(Timeout);
        Assert.Equal(CircuitCloseReason.None, response.Failure);
        link.Pool.Return(response.Created2);
        return (pending, keyMaterial);
    }

    public static async Task<(ClientCircuitReactor Client, RelayCircuit Relay)> OpenCircuitAsync(Link clientLink, AcceptingRelay relay, ICircuitHandler handler)
    {
        var (pending, keyMaterial) = await CreateAsync(clientLink);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        var client = clientLink.OpenClientCircuit(pending, crypto, handler)!;
        return (client, await relay.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    public static CellBuffer Message(CellPool pool, RelayCommand command, ReadOnlySpan<byte> data)
    {
        var cell = pool.Rent();
        RelayCell.Encode(cell.Body, command, command == RelayCommand.Data ? new StreamId(1) : default, data, RandomPaddingSource.Instance);
        return cell;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>Accepts every CREATE2, taking its handshake data as the CGO key material.</summary>
internal sealed class AcceptingRelay : ILinkHandler
{
    public Channel<RelayCircuit> Accepted { get; } = Channel.CreateUnbounded<RelayCircuit>();

    public List<RelayCircuit> All { get; } = [];

    public Dictionary<RelayCircuit, CountingHandler> Handlers { get; } = [];

    public CountingHandler HandlerOf(RelayCircuit circuit)
    {
        lock (All)
        {
            return Handlers[circuit];
        }
    }

    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2)
    {
        Assert.True(Create2Body.TryDecode(create2.Body, out var body, out _));
        var hop = new CgoRelayHop(body.HandshakeData);
        link.Pool.Return(create2);
        var created = link.Pool.Rent();
        new Created2Body([]).Encode(created.Body);
        var handler = new CountingHandler();
        var circuit = link.AcceptRelayCircuit(circuitId, hop, created, handler);
        if (circuit is not null)
        {
            lock (All)
            {
                All.Add(circuit);
                Handlers[circuit] = handler;
            }

            Accepted.Writer.TryWrite(circuit);
        }
    }

    public List<RelayCircuit> Snapshot()
    {
        lock (All)
        {
            return [.. All];
        }
    }
}

/// <summary>Counts the relay messages that reach it.</summary>
internal sealed class CountingHandler : ICircuitHandler
{
    private int _messages;

    public int Messages => Volatile.Read(ref _messages);

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        Interlocked.Increment(ref _messages);
        return true;
    }

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason)
    {
    }
}

/// <summary>A pipe reader that can stop handing data to its link, as a peer that no longer reads.</summary>
internal sealed class GatedPipeReader(PipeReader inner) : PipeReader
{
    private volatile TaskCompletionSource _open = Opened();

    public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead()
    {
        Open();
        inner.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_open.Task.IsCompleted)
        {
            result = default;
            return false;
        }

        return inner.TryRead(out result);
    }

    private static TaskCompletionSource Opened()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
