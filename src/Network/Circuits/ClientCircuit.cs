using System.Net;
using System.Security.Cryptography;
using System.Threading.Channels;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A circuit this party originates (a client, or a hidden point), as programs use it: create the first hop, extend hop
/// by hop, send relay messages to a hop and wait for the answers, open and accept streams, and, on a circuit joined
/// at a rendezvous point, the end-to-end hop to the other party. Every operation is a message to the circuit's
/// reactor, which alone owns the circuit's state; errors are <see cref="CircuitException"/>s that name the step and
/// the hop.
/// </summary>
/// <remarks>
/// A relay message this side did not ask for closes the circuit: an EXTENDED2, an INTRO_ESTABLISHED, an INTRODUCE2 is
/// accepted only while a call waits for it (<see cref="RequestAsync"/>, <see cref="ReceiveAsync"/>,
/// <see cref="ExtendAsync"/>) or a listener takes it (<see cref="Listen"/>). Stream messages go to their stream.
/// </remarks>
public sealed class ClientCircuit : IAsyncDisposable
{
    private readonly ClientCircuitReactor _reactor;
    private readonly ClientCircuitDispatcher _dispatcher;
    private readonly Lock _keysGate = new();
    private readonly List<byte[]> _bindingKeys = new(4);
    private int _endToEndHop = -1;

    private ClientCircuit(Link link, PendingCircuit pending, CgoClientCircuit crypto, out ClientCircuitReactor? reactor)
    {
        _dispatcher = new ClientCircuitDispatcher(OnClosed);
        reactor = link.OpenClientCircuit(pending, crypto, _dispatcher, _dispatcher.Attach);
        _reactor = reactor!;
    }

    /// <summary>Hops the circuit reaches, the end-to-end hop included.</summary>
    public int HopCount => Math.Max(_reactor.Hops, Volatile.Read(ref _endToEndHop) + 1);

    /// <summary>
    /// The last hop: the end-to-end hop once a rendezvous joined the circuit, else the last relay. Messages for the
    /// rendezvous point itself (RENDEZVOUS1 after <see cref="AttachEndToEndHop"/>) go to <see cref="LastRelayHop"/>.
    /// </summary>
    public HopIndex LastHop => new((byte)(HopCount - 1));

    /// <summary>The hop of the last relay the circuit runs through, whether or not an end-to-end hop follows it.</summary>
    public HopIndex LastRelayHop => new((byte)(_reactor.Hops - 1));

    /// <summary>The end-to-end hop of a joined rendezvous circuit, once there is one.</summary>
    public HopIndex? EndToEndHop => Volatile.Read(ref _endToEndHop) is var hop and >= 0 ? new HopIndex((byte)hop) : null;

    /// <summary>The link to the first hop.</summary>
    public Link Link => _reactor.Link;

    /// <summary>The reactor itself, for benchmarks and tests that drive cells below the handle.</summary>
    internal ClientCircuitReactor Reactor => _reactor;

    /// <summary>True once the circuit has closed or is closing.</summary>
    public bool IsClosed => _reactor.IsClosed;

    /// <summary>Completes with the reason once the circuit has closed and released everything.</summary>
    public Task<CircuitCloseReason> Completion => _reactor.Completion;

    /// <summary>
    /// Creates a circuit to <paramref name="firstHop"/> over <paramref name="link"/> (a link to that relay): CREATE2 with
    /// ntor v3 asking for CGO, and the hop's layer from CREATED2.
    /// </summary>
    /// <exception cref="CircuitException">The link cannot carry it, the relay refused, or its reply did not verify.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first (the id is given up with DESTROY).</exception>
    public static async Task<ClientCircuit> CreateAsync(Link link, RelayStatus firstHop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(firstHop);
        if (!link.TryBeginCircuit(out var pending))
        {
            throw new CircuitException(CircuitStep.Create, CircuitFailure.LinkUnavailable, HopIndex.First);
        }

        using var handshake = HopHandshake.Start(firstHop);
        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, handshake.Message).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        CircuitCreateResponse response;
        try
        {
            if (!await link.SendAsync(create, cancellationToken).ConfigureAwait(false))
            {
                throw new CircuitException(CircuitStep.Create, CircuitFailure.LinkUnavailable, HopIndex.First);
            }

            response = await pending.Response.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await link.AbandonAsync(pending, DestroyReason.Timeout).ConfigureAwait(false);
            throw;
        }

        if (response.Failure != CircuitCloseReason.None)
        {
            throw response.Failure == CircuitCloseReason.DestroyedByPeer
                ? new CircuitException(CircuitStep.Create, CircuitFailure.Refused, HopIndex.First, response.Failure, response.DestroyReason)
                : new CircuitException(CircuitStep.Create, CircuitFailure.LinkUnavailable, HopIndex.First, response.Failure);
        }

        var bindingKey = new byte[CircuitKeySchedule.BindingKeyLength];
        CgoClientHop? hop;
        try
        {
            var decoded = Created2Body.TryDecode(response.Created2.Body, out var created, out _);
            hop = null;
            if (!decoded || !handshake.TryFinish(created!.HandshakeData, out hop, bindingKey))
            {
                await link.AbandonAsync(pending, DestroyReason.Protocol).ConfigureAwait(false);
                throw new CircuitException(CircuitStep.Create, CircuitFailure.HandshakeFailed, HopIndex.First);
            }
        }
        finally
        {
            link.Pool.Return(response.Created2);
        }

        var crypto = new CgoClientCircuit();
        crypto.AddHop(hop);
        var circuit = new ClientCircuit(link, pending, crypto, out var reactor);
        if (reactor is null)
        {
            CryptographicOperations.ZeroMemory(bindingKey);
            throw new CircuitException(CircuitStep.Create, CircuitFailure.Closed, HopIndex.First, CircuitCloseReason.LinkClosed);
        }

        circuit.AddBindingKey(bindingKey);
        return circuit;
    }

    /// <summary>
    /// Extends the circuit to <paramref name="next"/>: EXTEND2 (in RELAY_EARLY) to the last hop, which connects to the
    /// relay at its listed address; completes once EXTENDED2 has come back and the new hop's layer is in place.
    /// </summary>
    /// <returns>The new hop.</returns>
    /// <exception cref="CircuitException">The circuit cannot grow, or closed (a relay that cannot extend closes it).</exception>
    /// <exception cref="OperationCanceledException">Cancelled: the circuit is closed, since its last hop may still extend.</exception>
    public async Task<HopIndex> ExtendAsync(RelayStatus next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        var from = LastHop;
        if (EndToEndHop is not null || _reactor.Hops >= MaxHops)
        {
            throw new CircuitException(CircuitStep.Extend, CircuitFailure.CannotExtend, from.Next);
        }

        var handshake = HopHandshake.Start(next);
        var waiter = new HopWaiter(from, RelayCommand.Extended2, CircuitStep.Extend, reply => FinishExtend(handshake, reply), handshake);
        Register(waiter);

        var cell = _reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, new Extend2Message(LinkSpecifiersOf(next), HandshakeType.NtorV3, handshake.Message), default, RandomPaddingSource.Instance);
        CircuitSendResult sent;
        try
        {
            sent = await _reactor.SendAsync(from, cell, relayEarly: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            waiter.Abandon();
            throw;
        }

        if (sent != CircuitSendResult.Queued)
        {
            waiter.Abandon();
            throw sent == CircuitSendResult.RelayEarlyExhausted
                ? new CircuitException(CircuitStep.Extend, CircuitFailure.CannotExtend, from.Next)
                : Closed(CircuitStep.Extend, from.Next);
        }

        return await AwaitOrCloseAsync(waiter, waiter.Added, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="hop"/> (on <paramref name="stream"/> for a stream command).</summary>
    /// <exception cref="CircuitException">No such hop, or the circuit is closed.</exception>
    public async ValueTask SendAsync(HopIndex hop, RelayMessage message, StreamId stream = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckHop(hop, CircuitStep.Send);
        var cell = _reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, message, stream, RandomPaddingSource.Instance);
        var sent = await _reactor.SendAsync(hop, cell, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (sent != CircuitSendResult.Queued)
        {
            throw Closed(CircuitStep.Send, hop);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="hop"/> and waits for its answer, the first message from that
    /// hop with one of <paramref name="replies"/>' commands (ESTABLISH_INTRO → INTRO_ESTABLISHED, INTRODUCE1 →
    /// INTRODUCE_ACK, …). Cancelling stops the wait; a late answer is then dropped.
    /// </summary>
    public async Task<RelayMessageReceived> RequestAsync(HopIndex hop, RelayMessage request, RelayCommandSet replies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckHop(hop, CircuitStep.Send);
        var waiter = new ReplyWaiter(hop, replies);
        Register(waiter);
        try
        {
            await SendAsync(hop, request, default, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            waiter.Abandon();
            throw;
        }

        return await AwaitAsync(waiter, waiter.Reply, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the next message from <paramref name="hop"/> with one of <paramref name="commands"/>' commands. The wait
    /// starts now: call it before whatever makes the message come.
    /// </summary>
    public Task<RelayMessageReceived> ReceiveAsync(HopIndex hop, RelayCommandSet commands, CancellationToken cancellationToken = default)
    {
        CheckHop(hop, CircuitStep.Receive);
        var waiter = new ReplyWaiter(hop, commands);
        Register(waiter);
        return AwaitAsync(waiter, waiter.Reply, cancellationToken);
    }

    /// <summary>
    /// Takes every message from <paramref name="hop"/> with one of <paramref name="commands"/>' commands, from now until
    /// the circuit closes (a host's INTRODUCE2s). When the reader falls <paramref name="capacity"/> messages behind,
    /// further ones are dropped.
    /// </summary>
    public ChannelReader<RelayMessageReceived> Listen(HopIndex hop, RelayCommandSet commands, int capacity = 64)
    {
        CheckHop(hop, CircuitStep.Receive);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var listener = new MessageListener(hop, commands, capacity);
        if (!_reactor.Run(() => _dispatcher.Add(listener), () => listener.Complete(Closed(CircuitStep.Receive, hop))))
        {
            listener.Complete(Closed(CircuitStep.Receive, hop));
        }

        return listener.Reader;
    }

    /// <summary>
    /// The ESTABLISH_INTRO a hidden point sends to make <paramref name="hop"/> its introduction point for
    /// <paramref name="authKey"/>: bound to this circuit by the hop's binding key KH, which never leaves the circuit.
    /// </summary>
    public EstablishIntroMessage CreateEstablishIntro(HopIndex hop, HsIntroAuthSigningKey authKey, IReadOnlyList<Extension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(authKey);
        lock (_keysGate)
        {
            if (hop.Value >= _bindingKeys.Count)
            {
                throw new CircuitException(CircuitStep.Send, CircuitFailure.NoSuchHop, hop);
            }

            return EstablishIntroAuthentication.Create(authKey, extensions, _bindingKeys[hop.Value]);
        }
    }

    /// <summary>
    /// The client's side of a rendezvous: waits for RENDEZVOUS2 from the last hop (the rendezvous point) and makes the
    /// end-to-end hop from it with <paramref name="finish"/> (which completes hs_ntor), in place before any cell the
    /// host sends through it. Call it before sending INTRODUCE1, so that the wait is in place when the answer comes.
    /// Cancelling the wait closes the circuit (a RENDEZVOUS2 could still arrive and would then find nothing waiting):
    /// a client that tries several introduction points keeps one wait across them.
    /// </summary>
    /// <returns>The end-to-end hop.</returns>
    public async Task<HopIndex> AwaitRendezvousAsync(HopLayerFactory finish, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finish);
        var rendezvousPoint = LastHop;
        var waiter = new HopWaiter(rendezvousPoint, RelayCommand.Rendezvous2, CircuitStep.Rendezvous, finish);
        Register(waiter);
        var hop = await AwaitOrCloseAsync(waiter, waiter.Added, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _endToEndHop, hop.Value);
        return hop;
    }

    /// <summary>
    /// The host's side of a rendezvous: adds the relay-style end of the end-to-end hop after the circuit's own hops
    /// (the circuit owns <paramref name="hop"/> from now on). Call it before sending RENDEZVOUS1, so that the hop is in
    /// place when the client's first cell comes through the rendezvous point.
    /// </summary>
    /// <returns>The end-to-end hop.</returns>
    public HopIndex AttachEndToEndHop(CgoRelayHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        var index = _reactor.Hops;
        if (EndToEndHop is not null || !_reactor.AttachRelaySideHop(hop))
        {
            hop.Dispose();
            throw EndToEndHop is not null
                ? new CircuitException(CircuitStep.Rendezvous, CircuitFailure.CannotExtend, new HopIndex((byte)index))
                : Closed(CircuitStep.Rendezvous, new HopIndex((byte)index));
        }

        Volatile.Write(ref _endToEndHop, index);
        return new HopIndex((byte)index);
    }

    /// <summary>
    /// Opens a stream to <paramref name="hop"/> (the host at the end of a joined rendezvous circuit): BEGIN naming
    /// <paramref name="virtualPort"/>, then CONNECTED. The stream is windowed (<see cref="StreamWindow"/>).
    /// </summary>
    /// <exception cref="CircuitException">The far end refused (END), or the circuit closed or carries the most streams.</exception>
    public async Task<CircuitStream> OpenStreamAsync(HopIndex hop, ushort virtualPort, CancellationToken cancellationToken = default)
    {
        CheckHop(hop, CircuitStep.OpenStream);
        var stream = await AddStreamAsync(hop, windowed: true, open: false).ConfigureAwait(false);
        try
        {
            await SendAsync(hop, new BeginMessage(virtualPort), stream.Id, cancellationToken).ConfigureAwait(false);
            if (await stream.Opened.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                return stream;
            }
        }
        catch
        {
            stream.Abort(EndReason.Done);
            throw;
        }

        var end = await stream.Completion.ConfigureAwait(false);
        throw end.CircuitClosed != CircuitCloseReason.None
            ? Closed(CircuitStep.OpenStream, hop)
            : new CircuitException(CircuitStep.OpenStream, CircuitFailure.StreamRefused, hop, streamEndReason: end.Reason);
    }

    /// <summary>
    /// Opens a directory stream to <paramref name="hop"/> (an HSDir, or the guard as directory cache) with
    /// <paramref name="request"/> (DESCRIPTOR_STORE, DESCRIPTOR_FETCH or DIRECTORY_REQUEST). The answer's
    /// DIRECTORY_RESPONSE comes through <see cref="CircuitStream.ReceiveMessageAsync"/>, its body through the input. Not
    /// windowed: a relay paces it with the circuit window, and its declared lengths bound it.
    /// </summary>
    public async Task<CircuitStream> OpenDirectoryStreamAsync(HopIndex hop, RelayMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckHop(hop, CircuitStep.OpenStream);
        var stream = await AddStreamAsync(hop, windowed: false, open: true).ConfigureAwait(false);
        try
        {
            await SendAsync(hop, request, stream.Id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Abort(EndReason.Done);
            throw;
        }

        stream.StartSending();
        return stream;
    }

    /// <summary>
    /// From now on the far end's BEGINs from <paramref name="hop"/> (a client's, at a host's end of a joined circuit) come
    /// here to be accepted or refused; at most <paramref name="backlog"/> wait, and more are refused. BEGINs from a hop
    /// that nothing accepts from are refused.
    /// </summary>
    public ChannelReader<IncomingStream> AcceptStreams(HopIndex hop, int backlog = 16)
    {
        CheckHop(hop, CircuitStep.OpenStream);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        var incoming = Channel.CreateBounded<IncomingStream>(new BoundedChannelOptions(backlog) { SingleWriter = true });
        if (!_reactor.Run(() => _dispatcher.Streams.AcceptFrom(hop, incoming.Writer), () => incoming.Writer.TryComplete()))
        {
            incoming.Writer.TryComplete();
        }

        return incoming.Reader;
    }

    /// <summary>Closes the circuit, telling the first hop <paramref name="reason"/> in the DESTROY.</summary>
    public Task<CircuitCloseReason> CloseAsync(DestroyReason reason = DestroyReason.Finished) => _reactor.CloseAsync(reason);

    /// <summary>Closes the circuit (if still open) and waits until it has released everything.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private static int MaxHops => 8;

    private static LinkSpecifiers LinkSpecifiersOf(RelayStatus relay)
    {
        IPEndPoint? ipv4 = null;
        IPEndPoint? ipv6 = null;
        foreach (var address in relay.Addresses)
        {
            if (address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                ipv4 ??= new IPEndPoint(address.Address, address.Port);
            }
            else
            {
                ipv6 ??= new IPEndPoint(address.Address, address.Port);
            }
        }

        return new LinkSpecifiers(relay.Id, ipv4, ipv6);
    }

    private CgoClientHop? FinishExtend(HopHandshake handshake, ReadOnlySpan<byte> reply)
    {
        var reader = new WireReader(reply);
        if (!Extended2Message.TryDecode(ref reader, out var extended, out _))
        {
            return null;
        }

        var bindingKey = new byte[CircuitKeySchedule.BindingKeyLength];
        if (!handshake.TryFinish(extended.HandshakeData, out var hop, bindingKey))
        {
            return null;
        }

        AddBindingKey(bindingKey);
        return hop;
    }

    private void AddBindingKey(byte[] bindingKey)
    {
        lock (_keysGate)
        {
            _bindingKeys.Add(bindingKey);
        }
    }

    private void OnClosed(CircuitCloseReason reason)
    {
        lock (_keysGate)
        {
            foreach (var key in _bindingKeys)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            _bindingKeys.Clear();
        }
    }

    private void CheckHop(HopIndex hop, CircuitStep step)
    {
        if (hop.Value >= HopCount)
        {
            throw new CircuitException(step, CircuitFailure.NoSuchHop, hop);
        }
    }

    private void Register(MessageWaiter waiter)
    {
        if (!_reactor.Run(() => _dispatcher.Add(waiter), () => waiter.Fail(Closed(waiter.Step, waiter.ErrorHop))))
        {
            var closed = Closed(waiter.Step, waiter.ErrorHop);
            waiter.Fail(closed);
            throw closed;
        }
    }

    private static async Task<T> AwaitAsync<T>(MessageWaiter waiter, Task<T> outcome, CancellationToken cancellationToken)
    {
        try
        {
            return await outcome.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            waiter.Abandon();
            throw;
        }
    }

    // A hop that may still be added cannot be left behind: giving up the wait closes the circuit.
    private async Task<T> AwaitOrCloseAsync<T>(MessageWaiter waiter, Task<T> outcome, CancellationToken cancellationToken)
    {
        try
        {
            return await AwaitAsync(waiter, outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _reactor.RequestLocalClose(DestroyReason.Timeout);
            throw;
        }
    }

    private async Task<CircuitStream> AddStreamAsync(HopIndex hop, bool windowed, bool open)
    {
        var stream = new CircuitStream(_reactor, _dispatcher.Streams, hop, windowed, open);
        var added = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_reactor.Run(() => added.TrySetResult(_dispatcher.Streams.TryAdd(stream)), () => added.TrySetResult(false)))
        {
            throw Closed(CircuitStep.OpenStream, hop);
        }

        if (!await added.Task.ConfigureAwait(false))
        {
            throw IsClosed ? Closed(CircuitStep.OpenStream, hop) : new CircuitException(CircuitStep.OpenStream, CircuitFailure.TooManyStreams, hop);
        }

        return stream;
    }

    private CircuitException Closed(CircuitStep step, HopIndex hop) =>
        new(step, CircuitFailure.Closed, hop, _reactor.Completion.IsCompleted ? _reactor.Completion.Result : _reactor.PendingCloseReason);
}
