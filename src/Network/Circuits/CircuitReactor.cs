using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// The one owner of a circuit's state: a loop that takes cells from the circuit's links and messages from local
/// senders, one at a time, applies the CGO layer, keeps RELAY_EARLY counts and SENDME windows, and hands relay
/// messages to the <see cref="ICircuitHandler"/>. A fault closes this circuit only.
/// </summary>
/// <remarks>
/// Cells from links wait in a queue capped at <see cref="CircuitOptions.MaxQueuedCells"/>: a peer that overruns it
/// gets the circuit closed. Local senders hold one of <see cref="CircuitOptions.MaxPendingSends"/> slots while their
/// message waits for window, so they wait instead of queueing without bound.
/// </remarks>
public abstract class CircuitReactor : IAsyncDisposable
{
    /// <summary>The most RELAY_EARLY cells a circuit carries away from its originator.</summary>
    public const int MaxRelayEarly = 8;

    private readonly ReactorQueue<CircuitInput> _input;
    private readonly SemaphoreSlim _sendSlots;
    private readonly TaskCompletionSource<CircuitCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ICircuitHandler _handler;
    private readonly CircuitOptions _options;
    private readonly ILogger _logger;
    private readonly NetworkMetrics _metrics;
    private readonly CircuitQueueAccount _account;
    private readonly TimeProvider _time;
    private HopFlowControl?[]? _flow;
    private CancellationTokenSource? _closing;
    private int _heldCells;
    private long _oldestBlockedAt;
    private Queue<CircuitInput>? _blocked;
    // Counted per direction: a relay's circuit carries a full window each way at once (DATA both ways on a joined
    // circuit), so one count capped at one window closed busy honest circuits whenever the reactor fell behind.
    private int _queuedFromInward;
    private int _queuedFromOutward;
    private int _pendingClose;
    private int _goneEnds;
    private int _earlySent;
    private int _localDestroyReason = (int)DestroyReason.Finished;
    private int _peerDestroyReason;
    private volatile bool _closed;

    private protected CircuitReactor(Link link, ICircuitHandler handler)
    {
        Pool = link.Pool;
        _handler = handler;
        _options = link.CircuitOptions;
        _logger = link.Logger;
        _metrics = link.Metrics;
        _account = link.QueueAccount;
        _time = link.TimeProvider;
        _sendSlots = new SemaphoreSlim(_options.MaxPendingSends);
        _input = new ReactorQueue<CircuitInput>((2 * _options.MaxQueuedCells) + _options.MaxPendingSends + 16);
    }

    private enum InputKind : byte
    {
        CellFromInward = 1,
        CellFromOutward,
        Send,
        Wake,
        Action,
    }

    /// <summary>The pool the circuit's cells come from.</summary>
    public CellPool Pool { get; }

    /// <summary>Completes with the reason once the circuit has closed and released everything.</summary>
    public Task<CircuitCloseReason> Completion => _completion.Task;

    /// <summary>True once the circuit has closed or is closing.</summary>
    public bool IsClosed => _closed || Volatile.Read(ref _pendingClose) != 0;

    /// <summary>Why the circuit is closing, or <see cref="CircuitCloseReason.None"/> while it is open.</summary>
    internal CircuitCloseReason PendingCloseReason => (CircuitCloseReason)Volatile.Read(ref _pendingClose);

    /// <summary>The limits the circuit runs with.</summary>
    internal CircuitOptions Options => _options;

    /// <summary>Cells from links waiting for the reactor now.</summary>
    public int QueuedCells => Volatile.Read(ref _queuedFromInward) + Volatile.Read(ref _queuedFromOutward);

    /// <summary>
    /// Cells the circuit holds queued now: cells from links waiting for the reactor, and local messages waiting for
    /// their turn or for window. Each one also counts in the runtime's <see cref="CircuitQueueAccount"/>.
    /// </summary>
    public int HeldCells => Volatile.Read(ref _heldCells);

    /// <summary>
    /// When the oldest item still queued for this circuit was queued (a <see cref="TimeProvider.GetTimestamp"/> value
    /// of the runtime's clock), or 0 when nothing waits. Safe from any thread; a memory limit closes the circuits
    /// whose data has waited longest first, since those are the least likely to drain on their own.
    /// </summary>
    public long OldestQueuedTimestamp
    {
        get
        {
            var oldest = _input.TryPeek(out var head) ? head.QueuedAt : 0;
            var blocked = Volatile.Read(ref _oldestBlockedAt);
            return blocked != 0 && (oldest == 0 || blocked < oldest) ? blocked : oldest;
        }
    }

    /// <summary>How long the oldest queued item has waited (<see cref="TimeSpan.Zero"/> when nothing waits).</summary>
    public TimeSpan OldestQueuedAge
    {
        get
        {
            var oldest = OldestQueuedTimestamp;
            return oldest == 0 ? TimeSpan.Zero : _time.GetElapsedTime(oldest);
        }
    }

    /// <summary>
    /// The reason the peer gave in the DESTROY that closed the circuit, once one did
    /// (<see cref="CircuitCloseReason.DestroyedByPeer"/>); <see cref="DestroyReason.None"/> otherwise.
    /// </summary>
    public DestroyReason PeerDestroyReason => (DestroyReason)Volatile.Read(ref _peerDestroyReason);

    /// <summary>Closes the circuit: DESTROY goes to every link it still has.</summary>
    public Task<CircuitCloseReason> CloseAsync()
    {
        RequestClose(CircuitCloseReason.LocalClose);
        return Completion;
    }

    /// <summary>
    /// Closes the circuit because this process is above its memory limit: its queue is let go at once and DESTROY,
    /// with <see cref="DestroyReason.ResourceLimit"/>, goes to every link it still has.
    /// </summary>
    public Task<CircuitCloseReason> CloseForMemoryLimitAsync()
    {
        RequestClose(CircuitCloseReason.MemoryLimit);
        return Completion;
    }

    /// <summary>Closes the circuit (if still open) and waits until it has released everything.</summary>
    public async ValueTask DisposeAsync()
    {
        // The slot semaphore is left to the collector: it never made a wait handle, and a sender racing the
        // close must find it usable (it then sees the circuit closed).
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    internal void Start()
    {
        _metrics.CircuitOpened();
        _ = RunAsync();
    }

    /// <summary>A RELAY or RELAY_EARLY cell from a link; the circuit owns it from now on. Never blocks the link.</summary>
    internal void EnqueueFromLink(CircuitLinkEnd end, CellBuffer cell)
    {
        if (IsClosed)
        {
            Pool.Return(cell);
            return;
        }

        Hold();
        var kind = end == CircuitLinkEnd.Inward ? InputKind.CellFromInward : InputKind.CellFromOutward;
        ref var queued = ref QueuedFrom(kind);
        if (Interlocked.Increment(ref queued) > _options.MaxQueuedCells
            || !_input.TryWrite(new CircuitInput(kind, cell, queuedAt: _time.GetTimestamp())))
        {
            Interlocked.Decrement(ref queued);
            Unhold();
            Pool.Return(cell);
            RequestClose(CircuitCloseReason.QueueOverflow);
        }
    }

    internal void OnDestroyed(CircuitLinkEnd end, DestroyReason reason)
    {
        Interlocked.CompareExchange(ref _peerDestroyReason, (int)reason, (int)DestroyReason.None);
        Interlocked.Or(ref _goneEnds, (int)end);
        RequestClose(CircuitCloseReason.DestroyedByPeer);
    }

    internal void OnLinkClosed(CircuitLinkEnd end)
    {
        Interlocked.Or(ref _goneEnds, (int)end);
        RequestClose(CircuitCloseReason.LinkClosed);
    }

    internal void RequestClose(CircuitCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _pendingClose, (int)reason, 0) == 0)
        {
            // If the queue is full the reactor is busy and sees the request before its next item.
            _input.TryWrite(new CircuitInput(InputKind.Wake, default));

            // A reactor waiting for room on a link that no longer drains would see the request only when that link
            // times out; meanwhile its queue holds memory. Its wait is cancelled instead (off this thread).
            if (Volatile.Read(ref _closing) is { } closing)
            {
                _ = closing.CancelAsync();
            }
        }
    }

    /// <summary>Closes the circuit on this side's decision, telling the peers <paramref name="reason"/> in the DESTROY.</summary>
    internal void RequestLocalClose(DestroyReason reason)
    {
        Interlocked.CompareExchange(ref _localDestroyReason, (int)reason, (int)DestroyReason.Finished);
        RequestClose(CircuitCloseReason.LocalClose);
    }

    /// <summary>
    /// Runs <paramref name="run"/> on the reactor (for state only the reactor may touch), ordered after every item
    /// queued before it. False when the circuit is closed; if it closes before the item's turn, <paramref name="run"/>
    /// never runs and <paramref name="discarded"/> does instead.
    /// </summary>
    private protected bool Post(Action run, Action? discarded = null) =>
        !IsClosed && _input.TryWriteLocal(new CircuitInput(InputKind.Action, default, payload: new PostedAction(run, discarded), queuedAt: _time.GetTimestamp()));

    /// <summary>
    /// Hands a relay message to the reactor without waiting for the outcome (a handler's answer: it runs on the reactor
    /// and must not wait there). The message is lost only when the circuit closes.
    /// </summary>
    internal void SendDetached(int hopIndex, CellBuffer cell)
    {
        var send = EnqueueSendAsync(cell, hopIndex, relayEarly: false, CancellationToken.None);
        if (!send.IsCompleted)
        {
            _ = send.AsTask();
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> on the reactor (for state only the reactor may touch), handing it
    /// <paramref name="owned"/>. Whatever becomes of the item, <paramref name="owned"/> is disposed unless
    /// <paramref name="run"/> completes: when the circuit is closed already, when it closes before the item's turn,
    /// and when <paramref name="run"/> throws.
    /// </summary>
    private protected bool Post<T>(T owned, Action<T> run)
        where T : class, IDisposable
    {
        if (IsClosed || !_input.TryWriteLocal(new CircuitInput(InputKind.Action, default, payload: new PostedWork<T>(owned, run), queuedAt: _time.GetTimestamp())))
        {
            owned.Dispose();
            return false;
        }

        return true;
    }

    /// <summary>
    /// Hands a relay message to the reactor: <paramref name="cell"/>'s body holds it in the v1 layout
    /// (<see cref="RelayCell.Encode(Span{byte}, RelayMessage, StreamId, IPaddingSource)"/>), tag bytes zero. Waits
    /// while <see cref="CircuitOptions.MaxPendingSends"/> messages are already waiting for window.
    /// </summary>
    // Pooled: a sender waits here whenever MaxPendingSends messages wait for window, once per SENDME round trip on a
    // busy circuit; a fresh box each time would be the send path's only allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected async ValueTask<CircuitSendResult> EnqueueSendAsync(CellBuffer cell, int hopIndex, bool relayEarly, CancellationToken cancellationToken)
    {
        if (relayEarly && Interlocked.Increment(ref _earlySent) > MaxRelayEarly)
        {
            Pool.Return(cell);
            return CircuitSendResult.RelayEarlyExhausted;
        }

        if (IsClosed)
        {
            Pool.Return(cell);
            return CircuitSendResult.Closed;
        }

        try
        {
            await _sendSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Pool.Return(cell);
            throw;
        }

        Hold();
        if (IsClosed || !_input.TryWrite(new CircuitInput(InputKind.Send, cell, (byte)hopIndex, relayEarly, queuedAt: _time.GetTimestamp())))
        {
            Unhold();
            _sendSlots.Release();
            Pool.Return(cell);
            return CircuitSendResult.Closed;
        }

        return CircuitSendResult.Queued;
    }

    /// <summary>Removes one layer (or all the client's) from a cell from a link; sets what happens next.</summary>
    private protected abstract CellOutcome ProcessCell(CircuitLinkEnd from, CellBuffer cell, Span<byte> tag);

    /// <summary>Encrypts a local message towards <paramref name="hopIndex"/> in place and names the link to send it on.</summary>
    private protected abstract bool TryOriginate(int hopIndex, CellBuffer cell, Span<byte> tag, out Link link);

    /// <summary>The hops flow control is kept with: the client's hop count, 1 on a relay.</summary>
    private protected abstract int HopCount { get; }

    /// <summary>Sends DESTROY on every end still open, and lets go of the crypto state.</summary>
    private protected abstract ValueTask ReleaseAsync(int goneEnds, DestroyReason reason);

    /// <summary>
    /// Handles a recognised message: SENDME (checked against the expected tag), DATA (deliver window), the rest to the
    /// handler. <paramref name="tag"/> is the CGO tag the cell carried; a due SENDME is built into a pooled cell.
    /// </summary>
    private protected CellOutcome OnRecognized(int hopIndex, CellBuffer cell, ReadOnlySpan<byte> tag)
    {
        var body = cell.Body;
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return CellOutcome.Close(CircuitCloseReason.ProtocolViolation);
        }

        if (view.Command == RelayCommand.Sendme)
        {
            Span<byte> echoed = stackalloc byte[CgoSizes.TagLength];
            var reader = new WireReader(view.Data);
            if (!SendmeMessage.TryDecodeTag(ref reader, echoed, out _) || !reader.TryExpectEnd(out _))
            {
                return CellOutcome.Close(CircuitCloseReason.SendmeViolation);
            }

            var flow = Flow(hopIndex);
            return flow is not null && flow.TryAcceptSendme(echoed) ? CellOutcome.WindowReopened : CellOutcome.Close(CircuitCloseReason.SendmeViolation);
        }

        var sendme = default(CellBuffer);
        if (view.Command == RelayCommand.Data)
        {
            var flow = Flow(hopIndex)!;
            if (!flow.OnDelivered(out var sendmeDue))
            {
                return CellOutcome.Close(CircuitCloseReason.WindowViolation);
            }

            if (sendmeDue)
            {
                sendme = Pool.Rent();
                RelayCell.Encode(sendme.Body, RelayCommand.Sendme, default, SendmeData(tag, stackalloc byte[3 + CgoSizes.TagLength]), RandomPaddingSource.Instance);
                flow.OnSendmeSent();
            }
        }

        bool accepted;
        try
        {
            accepted = _handler.OnRelayMessage(this, new HopIndex((byte)hopIndex), cell.Command, body);
        }
#pragma warning disable CA1031 // A handler's fault closes this circuit only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitHandlerError(_logger, ex);
            Pool.Return(sendme);
            return CellOutcome.Close(CircuitCloseReason.HandlerError);
        }

        if (!accepted)
        {
            Pool.Return(sendme);
            return CellOutcome.Close(CircuitCloseReason.ProtocolViolation);
        }

        return sendme.IsValid ? CellOutcome.Reply(hopIndex, sendme) : CellOutcome.Done;
    }

    private static ReadOnlySpan<byte> SendmeData(ReadOnlySpan<byte> tag, Span<byte> data)
    {
        data[0] = SendmeMessage.Version;
        BinaryPrimitives.WriteUInt16BigEndian(data[1..], CgoSizes.TagLength);
        tag[..CgoSizes.TagLength].CopyTo(data[3..]);
        return data;
    }

    private HopFlowControl? Flow(int hopIndex)
    {
        if ((uint)hopIndex >= (uint)HopCount)
        {
            return null;
        }

        _flow ??= new HopFlowControl?[Math.Max(HopCount, 1)];
        if (_flow.Length <= hopIndex)
        {
            Array.Resize(ref _flow, HopCount);
        }

        return _flow[hopIndex] ??= new HopFlowControl(_options.Window, _options.SendmeIncrement);
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var reason = CircuitCloseReason.None;
        var tag = new byte[CgoSizes.TagLength];
        var reader = _input;
        try
        {
            while (reason == CircuitCloseReason.None)
            {
                if (!reader.TryRead(out var item))
                {
                    if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        reason = CircuitCloseReason.InternalError;
                    }

                    continue;
                }

                reason = (CircuitCloseReason)Volatile.Read(ref _pendingClose);
                if (reason != CircuitCloseReason.None)
                {
                    Discard(item);
                    break;
                }

                reason = await ProcessAsync(item, tag).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The reactor's catch ladder: any fault closes this circuit, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitInternalError(_logger, ex);
            reason = CircuitCloseReason.InternalError;
        }

        await ShutdownAsync(reason).ConfigureAwait(false);
    }

    private async ValueTask<CircuitCloseReason> ProcessAsync(CircuitInput item, byte[] tag)
    {
        switch (item.Kind)
        {
            case InputKind.CellFromInward:
            case InputKind.CellFromOutward:
            {
                Interlocked.Decrement(ref QueuedFrom(item.Kind));
                Unhold();
                var from = item.Kind == InputKind.CellFromInward ? CircuitLinkEnd.Inward : CircuitLinkEnd.Outward;
                var outcome = ProcessCell(from, item.Cell, tag);
                if (outcome.Forward is { } forwardLink)
                {
                    // Relay path: the cell itself travels on, the circuit no longer owns it.
                    await SendOnAsync(forwardLink, item.Cell).ConfigureAwait(false);
                }
                else if (!outcome.HandedOff)
                {
                    Pool.Return(item.Cell);
                }

                if (outcome.Reason != CircuitCloseReason.None)
                {
                    return outcome.Reason;
                }

                if (outcome.ReplyCell.IsValid)
                {
                    return await OriginateAsync(outcome.ReplyHop, outcome.ReplyCell, relayEarly: false, tag).ConfigureAwait(false);
                }

                return outcome.WindowOpened ? await SendBlockedAsync(tag).ConfigureAwait(false) : CircuitCloseReason.None;
            }

            case InputKind.Send:
                if (item.Hop >= HopCount)
                {
                    // No such hop (the circuit was never extended that far): nothing can carry the message.
                    Discard(item);
                    return CircuitCloseReason.None;
                }

                if (_blocked is { Count: > 0 } || !HasWindowFor(item))
                {
                    _blocked ??= new Queue<CircuitInput>();
                    if (_blocked.Count == 0)
                    {
                        Volatile.Write(ref _oldestBlockedAt, item.QueuedAt);
                    }

                    _blocked.Enqueue(item);
                    return CircuitCloseReason.None;
                }

                Unhold();
                _sendSlots.Release();
                return await OriginateAsync(item.Hop, item.Cell, item.RelayEarly, tag).ConfigureAwait(false);

            case InputKind.Action:
                ((PostedWork)item.Payload!).Run();
                return CircuitCloseReason.None;

            default:
                return CircuitCloseReason.None;
        }
    }

    private bool HasWindowFor(CircuitInput item) =>
        item.Cell.Body[RelayCell.CommandOffset] != (byte)RelayCommand.Data || (Flow(item.Hop)?.PackageWindow ?? 0) > 0;

    private async ValueTask<CircuitCloseReason> SendBlockedAsync(byte[] tag)
    {
        while (_blocked is { Count: > 0 } && HasWindowFor(_blocked.Peek()))
        {
            var item = _blocked.Dequeue();
            Volatile.Write(ref _oldestBlockedAt, _blocked.Count > 0 ? _blocked.Peek().QueuedAt : 0);
            Unhold();
            _sendSlots.Release();
            var reason = await OriginateAsync(item.Hop, item.Cell, item.RelayEarly, tag).ConfigureAwait(false);
            if (reason != CircuitCloseReason.None)
            {
                return reason;
            }
        }

        return CircuitCloseReason.None;
    }

    private async ValueTask<CircuitCloseReason> OriginateAsync(int hopIndex, CellBuffer cell, bool relayEarly, byte[] tag)
    {
        var isData = cell.Body[RelayCell.CommandOffset] == (byte)RelayCommand.Data;
        cell.Command = relayEarly ? CellCommand.RelayEarly : CellCommand.Relay;
        if (!TryOriginate(hopIndex, cell, tag, out var link))
        {
            Pool.Return(cell);
            return CircuitCloseReason.None;
        }

        if (isData)
        {
            Flow(hopIndex)?.OnPackaged(tag);
        }

        await SendOnAsync(link, cell).ConfigureAwait(false);
        return CircuitCloseReason.None;
    }

    // Sends on a link without blocking the close: when the link's queue is full, the wait ends as soon as a close is
    // requested (the link then returns the cell to the pool), so a stalled link cannot pin this circuit's queue.
    private ValueTask<bool> SendOnAsync(Link link, CellBuffer cell) =>
        link.TrySend(cell) ? new ValueTask<bool>(true) : SendWhenRoomAsync(link, cell);

    private async ValueTask<bool> SendWhenRoomAsync(Link link, CellBuffer cell)
    {
        var closing = Volatile.Read(ref _closing);
        if (closing is null)
        {
            // Made once, by the reactor, the first time a link is full. The exchange is a full fence: either
            // RequestClose sees the source, or this thread sees the pending close below.
            closing = new CancellationTokenSource();
            Interlocked.Exchange(ref _closing, closing);
        }

        if (Volatile.Read(ref _pendingClose) != 0)
        {
            Pool.Return(cell);
            return false;
        }

        try
        {
            return await link.SendAsync(cell, closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Hold()
    {
        Interlocked.Increment(ref _heldCells);
        _account.Add(1);
    }

    private void Unhold()
    {
        Interlocked.Decrement(ref _heldCells);
        _account.Add(-1);
    }

    private ref int QueuedFrom(InputKind kind) => ref kind == InputKind.CellFromInward ? ref _queuedFromInward : ref _queuedFromOutward;

    private void Discard(CircuitInput item)
    {
        switch (item.Kind)
        {
            case InputKind.CellFromInward:
            case InputKind.CellFromOutward:
                Interlocked.Decrement(ref QueuedFrom(item.Kind));
                Unhold();
                Pool.Return(item.Cell);
                break;
            case InputKind.Send:
                Unhold();
                _sendSlots.Release();
                Pool.Return(item.Cell);
                break;
            case InputKind.Action:
                ((PostedWork)item.Payload!).Discard();
                break;
        }
    }

    private async Task ShutdownAsync(CircuitCloseReason reason)
    {
        _closed = true;
        Interlocked.CompareExchange(ref _pendingClose, (int)reason, 0);
        _input.Complete();

        // Queued cells are let go before DESTROY is sent: a link that no longer drains may hold the DESTROY up, and
        // the memory must not wait for it.
        while (_input.TryRead(out var item))
        {
            Discard(item);
        }

        while (_blocked is { Count: > 0 })
        {
            Discard(_blocked.Dequeue());
        }

        Volatile.Write(ref _oldestBlockedAt, 0);
        try
        {
            _handler.OnClosing(this, reason);
        }
#pragma warning disable CA1031 // A handler's fault at close changes nothing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitHandlerError(_logger, ex);
        }

        try
        {
            var destroyReason = reason == CircuitCloseReason.LocalClose ? (DestroyReason)Volatile.Read(ref _localDestroyReason) : ToDestroyReason(reason);
            await ReleaseAsync(Volatile.Read(ref _goneEnds), destroyReason).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Teardown must finish whatever a link does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitInternalError(_logger, ex);
        }

        // Wake every sender still waiting for a slot; each sees the circuit closed.
        _sendSlots.Release(_options.MaxPendingSends);
        try
        {
            _handler.OnClosed(this, reason);
        }
#pragma warning disable CA1031 // A handler's fault at close changes nothing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitHandlerError(_logger, ex);
        }

        _metrics.CircuitClosed(reason);
        NetworkLog.CircuitClosed(_logger, reason);
        _completion.TrySetResult(reason);
    }

    private static DestroyReason ToDestroyReason(CircuitCloseReason reason) => reason switch
    {
        CircuitCloseReason.LocalClose => DestroyReason.Finished,
        CircuitCloseReason.DestroyedByPeer => DestroyReason.Destroyed,
        CircuitCloseReason.LinkClosed => DestroyReason.ChannelClosed,
        CircuitCloseReason.QueueOverflow or CircuitCloseReason.MemoryLimit => DestroyReason.ResourceLimit,
        CircuitCloseReason.InternalError or CircuitCloseReason.HandlerError => DestroyReason.Internal,
        CircuitCloseReason.JoinedCircuitClosed => DestroyReason.Destroyed,
        _ => DestroyReason.Protocol,
    };

    /// <summary>What to do after a cell from a link was processed.</summary>
    private protected readonly struct CellOutcome
    {
        private CellOutcome(CircuitCloseReason reason, Link? forward, int replyHop, CellBuffer replyCell, bool windowOpened, bool handedOff = false)
        {
            Reason = reason;
            Forward = forward;
            ReplyHop = replyHop;
            ReplyCell = replyCell;
            WindowOpened = windowOpened;
            HandedOff = handedOff;
        }

        public static CellOutcome Done => default;

        /// <summary>The cell went to another circuit's queue (a rendezvous join), which owns it now.</summary>
        public static CellOutcome Transferred => new(CircuitCloseReason.None, null, 0, default, false, handedOff: true);

        public static CellOutcome WindowReopened => new(CircuitCloseReason.None, null, 0, default, true);

        public CircuitCloseReason Reason { get; }

        public Link? Forward { get; }

        public int ReplyHop { get; }

        public CellBuffer ReplyCell { get; }

        public bool WindowOpened { get; }

        public bool HandedOff { get; }

        public static CellOutcome Close(CircuitCloseReason reason) => new(reason, null, 0, default, false);

        public static CellOutcome ForwardOn(Link link) => new(CircuitCloseReason.None, link, 0, default, false);

        public static CellOutcome Reply(int hopIndex, CellBuffer cell) => new(CircuitCloseReason.None, null, hopIndex, cell, false);
    }

    // Work for the reactor that owns a resource until it has run: key material must be wiped on every path.
    private abstract class PostedWork
    {
        public abstract void Run();

        public abstract void Discard();
    }

    private sealed class PostedAction(Action run, Action? discarded) : PostedWork
    {
        public override void Run() => run();

        public override void Discard() => discarded?.Invoke();
    }

    private sealed class PostedWork<T>(T owned, Action<T> run) : PostedWork
        where T : class, IDisposable
    {
        public override void Run()
        {
            try
            {
                run(owned);
            }
            catch
            {
                owned.Dispose();
                throw;
            }
        }

        public override void Discard() => owned.Dispose();
    }

    private readonly struct CircuitInput
    {
        public CircuitInput(InputKind kind, CellBuffer cell, byte hop = 0, bool relayEarly = false, object? payload = null, long queuedAt = 0)
        {
            QueuedAt = queuedAt;
            Kind = kind;
            Cell = cell;
            Hop = hop;
            RelayEarly = relayEarly;
            Payload = payload;
        }

        public InputKind Kind { get; }

        public CellBuffer Cell { get; }

        public byte Hop { get; }

        public bool RelayEarly { get; }

        public object? Payload { get; }

        /// <summary>When the item was queued (the runtime clock's timestamp); 0 for a wake-up.</summary>
        public long QueuedAt { get; }
    }
}
