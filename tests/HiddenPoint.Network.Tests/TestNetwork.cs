using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
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

namespace HiddenPoint.Network.Tests;

/// <summary>Builds runtimes, transports, keys and link pairs for the tests; every wait is bounded.</summary>
internal static class TestNetwork
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static LinkRuntime Runtime(
        TimeProvider? time = null,
        Action<LinkOptions>? link = null,
        Action<CircuitOptions>? circuit = null,
        IMeterFactory? meters = null)
    {
        var linkOptions = new LinkOptions();
        link?.Invoke(linkOptions);
        var circuitOptions = new CircuitOptions();
        circuit?.Invoke(circuitOptions);
        return new LinkRuntime(
            Options.Create(linkOptions),
            Options.Create(circuitOptions),
            time ?? TimeProvider.System,
            NullLoggerFactory.Instance,
            meters ?? new TestMeterFactory());
    }

    public static LinkKey NewLinkKey() => LinkKey.Generate();

    public static LinkPublicKey PublicOf(LinkKey key) => key.Public;

    /// <summary>Two transports joined by in-memory pipes.</summary>
    public static (LinkTransport A, LinkTransport B, DuplexPipe RawA, DuplexPipe RawB) PipePair()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        var rawA = new DuplexPipe(ba.Reader, ab.Writer);
        var rawB = new DuplexPipe(ab.Reader, ba.Writer);
        return (LinkTransport.FromDuplexPipe(rawA), LinkTransport.FromDuplexPipe(rawB), rawA, rawB);
    }

    /// <summary>Two connected loopback sockets (port 0).</summary>
    public static async Task<(Socket Client, Socket Server)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Timeout);
        var server = await accept.WaitAsync(Timeout);
        return (client, server);
    }

    /// <summary>Opens a link of <paramref name="kind"/> between two transports; both ends must succeed.</summary>
    public static async Task<(Link Initiator, Link Responder)> OpenAsync(
        LinkRuntime runtime, LinkTransport a, LinkTransport b, LinkKind kind = LinkKind.ClientToRelay,
        ILinkHandler? responderHandler = null, LinkRuntime? responderRuntime = null, ILinkHandler? initiatorHandler = null)
    {
        using var responderKey = NewLinkKey();
        using var initiatorKey = NewLinkKey();
        var accept = (responderRuntime ?? runtime).AcceptAsync(b, responderKey, AcceptedLinkKinds.All, responderHandler);
        var connect = runtime.ConnectAsync(a, kind, PublicOf(responderKey), kind == LinkKind.RelayToRelay ? initiatorKey : null, initiatorHandler);
        var initiator = await connect.WaitAsync(Timeout);
        var responder = await accept.WaitAsync(Timeout);
        Assert.Equal(LinkCloseReason.None, initiator.Failure);
        Assert.Equal(LinkCloseReason.None, responder.Failure);
        return (initiator.Link!, responder.Link!);
    }

    public static async Task<(Link Initiator, Link Responder)> OpenPipeLinkAsync(
        LinkRuntime runtime, LinkKind kind = LinkKind.ClientToRelay, ILinkHandler? responderHandler = null)
    {
        var (a, b, _, _) = PipePair();
        return await OpenAsync(runtime, a, b, kind, responderHandler);
    }

    public static byte[] NewKeyMaterial() => RandomNumberGenerator.GetBytes(CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128));

    /// <summary>Opens a one-hop circuit from a client link to a relay whose link handler is <paramref name="relay"/>.</summary>
    public static async Task<(ClientCircuitReactor Client, RelayCircuit Relay)> OpenCircuitAsync(
        Link clientLink, AcceptingRelay relay, ICircuitHandler clientHandler)
    {
        var keyMaterial = NewKeyMaterial();
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        var create = clientLink.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, keyMaterial).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        Assert.True(await clientLink.SendAsync(create));
        var response = await pending.Response.WaitAsync(Timeout);
        Assert.Equal(CircuitCloseReason.None, response.Failure);
        clientLink.Pool.Return(response.Created2);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        var client = clientLink.OpenClientCircuit(pending, crypto, clientHandler)!;
        var relayCircuit = await relay.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        return (client, relayCircuit);
    }

    public static CellBuffer DataCell(CellPool pool, ReadOnlySpan<byte> payload)
    {
        var cell = pool.Rent();
        RelayCell.Encode(cell.Body, RelayCommand.Data, new StreamId(1), payload, RandomPaddingSource.Instance);
        return cell;
    }

    public static CellBuffer MessageCell(CellPool pool, RelayCommand command, ReadOnlySpan<byte> data)
    {
        var cell = pool.Rent();
        RelayCell.Encode(cell.Body, command, default, data, RandomPaddingSource.Instance);
        return cell;
    }

    public static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Timeout);
}

internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}

internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        // The factory is the scope, so a listener can tell this factory's meters from those of tests running alongside.
        options.Scope = this;
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}

/// <summary>
/// A relay's link handler for tests: takes the CREATE2 handshake data as the CGO key material (standing in for
/// ntor v3, which is not this library's business) and accepts every circuit.
/// </summary>
internal sealed class AcceptingRelay(Func<ICircuitHandler>? handlers = null) : ILinkHandler
{
    public Channel<RelayCircuit> Accepted { get; } = Channel.CreateUnbounded<RelayCircuit>();

    public List<RecordingHandler> Handlers { get; } = [];

    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2)
    {
        Assert.True(Create2Body.TryDecode(create2.Body, out var body, out _));
        link.Pool.Return(create2);
        var hop = new CgoRelayHop(body.HandshakeData);
        var created = link.Pool.Rent();
        new Created2Body([]).Encode(created.Body);
        ICircuitHandler handler;
        if (handlers is null)
        {
            var recording = new RecordingHandler();
            lock (Handlers)
            {
                Handlers.Add(recording);
            }

            handler = recording;
        }
        else
        {
            handler = handlers();
        }

        var circuit = link.AcceptRelayCircuit(circuitId, hop, created, handler);
        if (circuit is not null)
        {
            Accepted.Writer.TryWrite(circuit);
        }
    }
}

/// <summary>Records relay messages and the close reason.</summary>
internal sealed class RecordingHandler : ICircuitHandler
{
    public Channel<(int Hop, RelayCommand Command, byte[] Data)> Messages { get; } =
        Channel.CreateUnbounded<(int, RelayCommand, byte[])>();

    public TaskCompletionSource<CircuitCloseReason> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<CircuitReactor, int, RelayCommand, bool>? OnMessage { get; set; }

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        Messages.Writer.TryWrite((hopIndex.Value, view.Command, view.Data.ToArray()));
        return OnMessage?.Invoke(circuit, hopIndex.Value, view.Command) ?? true;
    }

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => Closed.TrySetResult(reason);
}
