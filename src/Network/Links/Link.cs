using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Protocol.Cells;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Network.Links;

/// <summary>
/// One open link after its Noise handshake: a read loop that opens every fixed-size frame and dispatches the cell by
/// circuit id, one writer fed by a bounded queue that seals cells and flushes per batch, and a housekeeping timer
/// (idle timeout, keepalive padding, expiry of destroyed circuit ids). Any fault ends this link only, with a
/// <see cref="LinkCloseReason"/>; the circuits it carried are closed with it.
/// </summary>
/// <remarks>
/// Every cell the link holds for writing counts in the runtime's <see cref="LinkQueueAccount"/> and carries the time it
/// was queued, so that a memory limit can see how much waits and close the link whose oldest cell has waited longest
/// (<see cref="OutboundCells"/>, <see cref="OldestOutboundTimestamp"/>, <see cref="AbortForMemoryLimit"/>).
/// </remarks>
public sealed class Link : IAsyncDisposable
{
    private readonly LinkTransport _transport;
    private readonly NoiseTransport _noise;
    private readonly CellCommandSet _accepted;
    private readonly LinkOptions _options;
    private readonly CircuitOptions _circuitOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NetworkMetrics _metrics;
    private readonly ILinkHandler? _handler;
    private readonly CircuitTable _table;
    private readonly Channel<OutboundCell> _outbound;
    private readonly LinkQueueAccount _outboundAccount;
    private readonly LinkRuntime _runtime;
    private readonly TaskCompletionSource<LinkCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly long _number;
    private int _closeReason;
    private int _outboundCells;
    private long _lastReceived;
    private long _lastSent;
    private volatile bool _abortWrites;
    private int _pendingControl;
    private long _flushStartedAt;
    private volatile bool _flushPending;
    private double _tokens;
    private long _tokensAt;

    internal Link(
        long number,
        LinkTransport transport,
        NoiseTransport noise,
        LinkKind kind,
        LinkSide side,
        LinkPublicKey? peerLinkKey,
        LinkRuntime runtime,
        ILinkHandler? handler)
    {
        _number = number;
        _runtime = runtime;
        _transport = transport;
        _noise = noise;
        Kind = kind;
        Side = side;
        PeerLinkKey = peerLinkKey;
        _options = runtime.LinkOptions;
        _circuitOptions = runtime.CircuitOptions;
        _time = runtime.TimeProvider;
        _logger = runtime.Logger;
        _metrics = runtime.Metrics;
        Pool = runtime.Pool;
        QueueAccount = runtime.QueuedCells;
        _outboundAccount = runtime.OutboundCells;
        _handler = handler;
        _accepted = LinkKinds.Accepted(kind, side);
        _table = new CircuitTable(side, _options.MaxCircuitsPerLink);
        _outbound = Channel.CreateBounded<OutboundCell>(new BoundedChannelOptions(_options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        var now = _time.GetTimestamp();
        _lastReceived = now;
        _lastSent = now;
        _tokens = _options.CellBurst;
        _tokensAt = now;
    }

    /// <summary>What the link connects.</summary>
    public LinkKind Kind { get; }

    /// <summary>This side of the link: the initiator allocates circuit ids with the top bit set.</summary>
    public LinkSide Side { get; }

    /// <summary>
    /// The peer's proven link key: the key the initiator expected (which the handshake proved), or the key an XK
    /// responder learned from the initiator (to be matched against the consensus by the relay). Null for the relay
    /// side of a client link, where the client is anonymous.
    /// </summary>
    public LinkPublicKey? PeerLinkKey { get; }

    /// <summary>The buffers this link's cells come from and go back to.</summary>
    public CellPool Pool { get; }

    /// <summary>Completes with the reason once the link has closed and released everything.</summary>
    public Task<LinkCloseReason> Completion => _completion.Task;

    /// <summary>Why the link closed, or <see cref="LinkCloseReason.None"/> while it is open.</summary>
    public LinkCloseReason CloseReason => (LinkCloseReason)Volatile.Read(ref _closeReason);

    /// <summary>Circuit ids in use on this link, in any state.</summary>
    public int CircuitCount => _table.Count;

    /// <summary>
    /// Cells the link holds for writing now: in its outbound queue, or with a sender waiting for room in it. Each one
    /// also counts in the runtime's <see cref="LinkQueueAccount"/>.
    /// </summary>
    public int OutboundCells => Volatile.Read(ref _outboundCells);

    /// <summary>
    /// When the oldest cell in the outbound queue was queued (a <see cref="TimeProvider.GetTimestamp"/> value of the
    /// runtime's clock), or 0 when the queue is empty. Safe from any thread.
    /// </summary>
    public long OldestOutboundTimestamp => _outbound.Reader.TryPeek(out var head) ? head.QueuedAt : 0;

    internal CircuitTable Table => _table;

    internal CircuitOptions CircuitOptions => _circuitOptions;

    internal ILogger Logger => _logger;

    internal NetworkMetrics Metrics => _metrics;

    internal TimeProvider TimeProvider => _time;

    internal CircuitQueueAccount QueueAccount { get; }

    /// <summary>
    /// Queues a cell for the writer; the link owns <paramref name="cell"/> from now on. Waits while the queue is
    /// full (back-pressure). Returns false, having returned the cell to the pool, when the link is closed.
    /// </summary>
    public ValueTask<bool> SendAsync(CellBuffer cell, CancellationToken cancellationToken = default)
    {
        if (!cell.IsValid)
        {
            throw new ArgumentException("The cell buffer is empty.", nameof(cell));
        }

        var item = Own(cell);
        return _outbound.Writer.TryWrite(item) ? new ValueTask<bool>(true) : SendSlowAsync(item, cancellationToken);
    }

    /// <summary>
    /// Queues a cell if there is room now; false (the caller keeps the cell) when the queue is full or the link closed.
    /// </summary>
    public bool TrySend(CellBuffer cell)
    {
        if (!cell.IsValid)
        {
            throw new ArgumentException("The cell buffer is empty.", nameof(cell));
        }

        if (_outbound.Writer.TryWrite(Own(cell)))
        {
            return true;
        }

        Disown(1);
        return false;
    }

    /// <summary>
    /// Closes gracefully: no new cells are taken, queued cells are written (for at most
    /// <see cref="LinkOptions.CloseTimeout"/>), the stream is ended, and every circuit is closed.
    /// </summary>
    public Task<LinkCloseReason> CloseAsync()
    {
        if (TrySetCloseReason(LinkCloseReason.LocalClose))
        {
            _outbound.Writer.TryComplete();
            _ = AbortAfterAsync(_options.CloseTimeout);
        }

        return Completion;
    }

    /// <summary>Ends the link at once: queued cells are dropped and the transport is torn down.</summary>
    public void Abort() => Abort(LinkCloseReason.LocalAbort);

    /// <summary>
    /// Ends the link at once because this process is above its memory limit (<see cref="LinkCloseReason.MemoryLimit"/>):
    /// its outbound queue is let go without waiting for the peer, and every circuit it carries is closed.
    /// </summary>
    public void AbortForMemoryLimit() => Abort(LinkCloseReason.MemoryLimit);

    /// <summary>Aborts the link (if still open) and waits until it has released everything.</summary>
    public async ValueTask DisposeAsync()
    {
        Abort();
        await Completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Reserves a fresh circuit id for a CREATE2 this side will send. False when the link carries
    /// <see cref="LinkOptions.MaxCircuitsPerLink"/> circuits already, or is closed.
    /// </summary>
    public bool TryBeginCircuit([NotNullWhen(true)] out PendingCircuit? pending)
    {
        pending = null;
        if (CloseReason != LinkCloseReason.None)
        {
            return false;
        }

        var candidate = new PendingCircuit(this);
        if (!_table.TryAllocate(candidate, out var id))
        {
            return false;
        }

        candidate.Id = id;
        pending = candidate;
        return true;
    }

    /// <summary>
    /// Opens an originator's circuit on an id whose CREATED2 arrived: the circuit takes <paramref name="crypto"/> (the
    /// first hop's layer, more added as it is extended), <paramref name="beforeStart"/> sees it, and its reactor starts.
    /// Returns null (having disposed <paramref name="crypto"/>) when the id is no longer waiting, because the link closed
    /// or the peer destroyed it.
    /// </summary>
    internal ClientCircuitReactor? OpenClientCircuit(PendingCircuit pending, CgoClientCircuit crypto, ICircuitHandler handler, Action<ClientCircuitReactor>? beforeStart = null)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(crypto);
        ArgumentNullException.ThrowIfNull(handler);
        if (pending.Link != this)
        {
            throw new ArgumentException("The pending circuit belongs to another link.", nameof(pending));
        }

        var circuit = new ClientCircuitReactor(this, pending.Id, crypto, handler);
        beforeStart?.Invoke(circuit);
        if (!_table.TryOpen(pending.Id, createdByPeer: false, circuit, CircuitLinkEnd.Outward))
        {
            crypto.Dispose();
            return null;
        }

        circuit.Start();
        return circuit;
    }

    /// <summary>
    /// Answers a peer's CREATE2: sends <paramref name="created2"/> (a CREATED2 cell the caller filled; the link takes
    /// it), and starts a relay-side circuit that owns <paramref name="hop"/>. Returns null (having disposed the hop
    /// and returned the cell) when the id is no longer waiting, for example because the peer destroyed it meanwhile.
    /// </summary>
    public RelayCircuit? AcceptRelayCircuit(CircuitId circuitId, CgoRelayHop hop, CellBuffer created2, ICircuitHandler handler)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(handler);
        var circuit = new RelayCircuit(this, circuitId, hop, handler);
        if (!_table.TryOpen(circuitId, createdByPeer: true, circuit, CircuitLinkEnd.Inward))
        {
            hop.Dispose();
            Pool.Return(created2);
            return null;
        }

        created2.RawCircuitId = circuitId.Value;
        created2.Command = CellCommand.Created2;
        _ = EnqueueControl(created2);
        circuit.Start();
        return circuit;
    }

    /// <summary>Refuses a peer's CREATE2 (or gives up an id of ours) with DESTROY.</summary>
    public ValueTask<bool> RejectCircuitAsync(CircuitId circuitId, DestroyReason reason) => SendDestroyAsync(circuitId, reason);

    /// <summary>Gives up a pending id of ours: tells the peer with DESTROY and absorbs its late answer.</summary>
    public ValueTask<bool> AbandonAsync(PendingCircuit pending, DestroyReason reason = DestroyReason.Finished)
    {
        ArgumentNullException.ThrowIfNull(pending);
        pending.TryComplete(new CircuitCreateResponse(default, CircuitCloseReason.LocalClose, reason));
        return SendDestroyAsync(pending.Id, reason);
    }

    internal ValueTask<bool> SendDestroyAsync(CircuitId circuitId, DestroyReason reason)
    {
        if (!_table.MarkDestroySent(circuitId, _time.GetTimestamp()))
        {
            return new ValueTask<bool>(false);
        }

        var cell = Pool.Rent();
        DestroyBody.Encode(reason, Cell.WriteHeader(cell.Span, circuitId, CellCommand.Destroy));
        return SendAsync(cell);
    }

    internal void Start(ILogger logger)
    {
        _metrics.LinkOpened();
        NetworkLog.LinkOpened(logger, _number, Side == LinkSide.Initiator ? "initiator" : "responder", Kind);
        _ = RunAsync();
    }

    private async ValueTask<bool> SendSlowAsync(OutboundCell item, CancellationToken cancellationToken)
    {
        try
        {
            await _outbound.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            Disown(1);
            Pool.Return(item.Cell);
            return false;
        }
        catch (OperationCanceledException)
        {
            Disown(1);
            Pool.Return(item.Cell);
            throw;
        }
    }

    // The link owns a cell from the moment a sender hands it over until it is sealed or given back: counted (before
    // the queue can hand it to the writer, so the count never dips below zero) and stamped with the time.
    private OutboundCell Own(CellBuffer cell)
    {
        Interlocked.Increment(ref _outboundCells);
        _outboundAccount.Add(1);
        return new OutboundCell(cell, _time.GetTimestamp());
    }

    private void Disown(int cells)
    {
        if (cells > 0)
        {
            Interlocked.Add(ref _outboundCells, -cells);
            _outboundAccount.Add(-cells);
        }
    }

    internal int PendingControlCells => Volatile.Read(ref _pendingControl);

    internal bool FlushPending => _flushPending;

    // A cell the read loop must send (CREATED2, DESTROY) is never dropped for a full queue; the rare wait happens off
    // the read loop. The waits are bounded: a peer that stops reading yet keeps asking for answers would otherwise
    // make the link hold one blocked writer (and one pooled buffer) per request. Past OutboundQueueCapacity waiting
    // control cells the link is closed with ResourceLimit, and false is returned (the cell went back to the pool).
    private bool EnqueueControl(CellBuffer cell)
    {
        var item = Own(cell);
        if (_outbound.Writer.TryWrite(item))
        {
            return true;
        }

        if (Interlocked.Increment(ref _pendingControl) > _options.OutboundQueueCapacity)
        {
            Interlocked.Decrement(ref _pendingControl);
            Disown(1);
            Pool.Return(cell);
            Abort(LinkCloseReason.ResourceLimit);
            return false;
        }

        _ = SendControlSlowAsync(item);
        return true;
    }

    private async Task SendControlSlowAsync(OutboundCell item)
    {
        try
        {
            await SendSlowAsync(item, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingControl);
        }
    }

    // DESTROY for a peer's CREATE2 refused on the read loop: bounded like every other control cell.
    private LinkCloseReason RefuseCreate(CircuitId circuitId, DestroyReason reason)
    {
        if (!_table.MarkDestroySent(circuitId, _time.GetTimestamp()))
        {
            return LinkCloseReason.None;
        }

        var cell = Pool.Rent();
        DestroyBody.Encode(reason, Cell.WriteHeader(cell.Span, circuitId, CellCommand.Destroy));
        return EnqueueControl(cell) ? LinkCloseReason.None : LinkCloseReason.ResourceLimit;
    }

    private bool TrySetCloseReason(LinkCloseReason reason) =>
        Interlocked.CompareExchange(ref _closeReason, (int)reason, (int)LinkCloseReason.None) == (int)LinkCloseReason.None;

    internal void Abort(LinkCloseReason reason)
    {
        TrySetCloseReason(reason);
        _abortWrites = true;
        _outbound.Writer.TryComplete();
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        try
        {
            _transport.Input.CancelPendingRead();
            _transport.Output.CancelPendingFlush();
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The link finished closing meanwhile and released its pipes.
        }
    }

    private async Task AbortAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _lifetime.Token).ConfigureAwait(false);
            Abort(LinkCloseReason.LocalClose);
        }
        catch (OperationCanceledException)
        {
            // The link ended first.
        }
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var writer = WriteLoopAsync();
        var housekeeping = HousekeepingAsync();
        LinkCloseReason reason;
        try
        {
            reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            reason = LinkCloseReason.LocalAbort;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = LinkCloseReason.TransportError;
        }
        catch (Exception ex)
        {
            NetworkLog.LinkInternalError(_logger, _number, ex);
            reason = LinkCloseReason.InternalError;
        }

        // The first reason recorded wins: a close requested locally, a writer failure, or the read loop's own.
        TrySetCloseReason(reason);
        reason = CloseReason;
        try
        {
            if (reason != LinkCloseReason.LocalClose)
            {
                _abortWrites = true;
                try
                {
                    _transport.Output.CancelPendingFlush();
                }
                catch (ObjectDisposedException)
                {
                    // The writer already completed the output.
                }
            }

            _outbound.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            DrainOutbound();
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await housekeeping.ConfigureAwait(false);
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            NetworkLog.LinkInternalError(_logger, _number, ex);
        }
        finally
        {
            CloseCircuits();
            _noise.Dispose();
            _metrics.LinkClosed(reason);
            NetworkLog.LinkClosed(_logger, _number, reason);
            _runtime.OnLinkClosed(this);
            _completion.TrySetResult(reason);
        }
    }

    private async Task<LinkCloseReason> ReadLoopAsync()
    {
        var input = _transport.Input;
        var scratch = new byte[LinkFraming.FrameLength];
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            var cells = 0;
            var throttled = false;
            try
            {
                if (result.IsCanceled)
                {
                    return CloseReason != LinkCloseReason.None ? CloseReason : LinkCloseReason.LocalAbort;
                }

                // The token bucket bounds how many frames this pass may open; the rest stay in the pipe.
                var budget = RefillTokens();
                while (buffer.Length >= LinkFraming.FrameLength)
                {
                    if (cells == budget)
                    {
                        throttled = true;
                        break;
                    }

                    var frame = buffer.Slice(0, LinkFraming.FrameLength);
                    ReadOnlySpan<byte> sealedFrame;
                    if (frame.IsSingleSegment)
                    {
                        sealedFrame = frame.FirstSpan;
                    }
                    else
                    {
                        frame.CopyTo(scratch);
                        sealedFrame = scratch;
                    }

                    var failure = ProcessFrame(sealedFrame);
                    buffer = buffer.Slice(LinkFraming.FrameLength);
                    consumed = buffer.Start;
                    cells++;
                    if (failure != LinkCloseReason.None)
                    {
                        return failure;
                    }
                }

                if (throttled)
                {
                    // Frames are left unread on purpose: mark them unexamined so the next read returns at once.
                    examined = consumed;
                }
                else if (result.IsCompleted)
                {
                    return buffer.Length == 0 ? LinkCloseReason.PeerClosed : LinkCloseReason.TruncatedFrame;
                }
            }
            finally
            {
                input.AdvanceTo(consumed, examined);
                if (cells > 0)
                {
                    _tokens -= cells;
                    _metrics.CellsIn(cells, (long)cells * LinkFraming.FrameLength);
                    Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                }
            }

            if (throttled)
            {
                await ThrottleAsync().ConfigureAwait(false);
            }
        }
    }

    // Tops the bucket up for the time since the last pass and returns how many whole cells it now allows.
    private int RefillTokens()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_tokensAt, now).TotalSeconds;
        _tokensAt = now;
        _tokens = Math.Min(_options.CellBurst, _tokens + (elapsed * _options.MaxCellsPerSecond));
        return _tokens >= 1 ? (int)_tokens : 0;
    }

    /// <summary>The read loop's per-cell work: opens one frame, decodes the cell and dispatches it.</summary>
    internal LinkCloseReason ProcessFrame(ReadOnlySpan<byte> sealedFrame)
    {
        var cell = Pool.Rent();
        var error = _noise.Receiver.Decrypt(sealedFrame, cell.Span);
        if (error != NoiseError.None)
        {
            Pool.Return(cell);
            return error == NoiseError.NonceExhausted ? LinkCloseReason.NonceExhausted : LinkCloseReason.FrameAuthenticationFailed;
        }

        if (!Cell.TryDecode(cell.Span, Side, out var header, out _, out var decodeError)
            || !_accepted.Check(header.Command, out decodeError))
        {
            Pool.Return(cell);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                NetworkLog.LinkProtocolViolation(_logger, _number, decodeError.ToString());
            }

            return LinkCloseReason.ProtocolViolation;
        }

        if (header.CircuitId is not { } circuitId)
        {
            // PADDING: its only effect is that the link is alive, already noted.
            Pool.Return(cell);
            return LinkCloseReason.None;
        }

        return Dispatch(circuitId, header.Command, cell);
    }

    private LinkCloseReason Dispatch(CircuitId id, CellCommand command, CellBuffer cell)
    {
        if (command == CellCommand.Create2)
        {
            return OnCreate2(id, cell);
        }

        if (!_table.TryGet(id.Value, out var entry))
        {
            // Unknown id: a cell racing a DESTROY that already removed it, or noise; never a reason to close the link.
            Pool.Return(cell);
            _metrics.CellsDropped(1);
            return LinkCloseReason.None;
        }

        switch (command)
        {
            case CellCommand.Relay:
            case CellCommand.RelayEarly:
                if (entry.State == CircuitEntryState.Open)
                {
                    entry.Reactor!.EnqueueFromLink(entry.End, cell);
                }
                else
                {
                    Pool.Return(cell);
                    _metrics.CellsDropped(1);
                }

                return LinkCloseReason.None;

            case CellCommand.Created2:
                if (entry.State == CircuitEntryState.Opening && !entry.CreatedByPeer
                    && entry.Pending!.TryComplete(new CircuitCreateResponse(cell, CircuitCloseReason.None, DestroyReason.None)))
                {
                    return LinkCloseReason.None;
                }

                Pool.Return(cell);
                if (entry.State == CircuitEntryState.Open)
                {
                    // A second answer on an open circuit: that circuit's fault, not the link's.
                    entry.Reactor!.RequestClose(CircuitCloseReason.ProtocolViolation);
                }
                else
                {
                    _metrics.CellsDropped(1);
                }

                return LinkCloseReason.None;

            case CellCommand.Destroy:
                _ = DestroyBody.TryDecode(cell.Body, out var reason, out _);
                Pool.Return(cell);
                if (_table.Remove(id.Value, out entry))
                {
                    switch (entry.State)
                    {
                        case CircuitEntryState.Open:
                            entry.Reactor!.OnDestroyed(entry.End, reason);
                            break;
                        case CircuitEntryState.Opening when !entry.CreatedByPeer:
                            entry.Pending!.TryComplete(new CircuitCreateResponse(default, CircuitCloseReason.DestroyedByPeer, reason));
                            break;
                    }
                }

                return LinkCloseReason.None;

            default:
                Pool.Return(cell);
                return LinkCloseReason.ProtocolViolation;
        }
    }

    private LinkCloseReason OnCreate2(CircuitId id, CellBuffer cell)
    {
        switch (_table.TryAddFromPeer(id))
        {
            case CircuitAddResult.Duplicate:
                // Reusing a live id would let the peer splice cells into another circuit: a link-level violation.
                Pool.Return(cell);
                return LinkCloseReason.ProtocolViolation;

            case CircuitAddResult.Full:
                Pool.Return(cell);
                var destroy = Pool.Rent();
                DestroyBody.Encode(DestroyReason.ResourceLimit, Cell.WriteHeader(destroy.Span, id, CellCommand.Destroy));
                return EnqueueControl(destroy) ? LinkCloseReason.None : LinkCloseReason.ResourceLimit;
        }

        if (_handler is null)
        {
            Pool.Return(cell);
            return RefuseCreate(id, DestroyReason.Protocol);
        }

        try
        {
            _handler.OnCreateRequest(this, id, cell);
        }
#pragma warning disable CA1031 // A handler's fault refuses this circuit and must not end the link.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.CircuitHandlerError(_logger, ex);
            return RefuseCreate(id, DestroyReason.Internal);
        }

        return LinkCloseReason.None;
    }

    private async ValueTask ThrottleAsync()
    {
        // Reading pauses until the bucket holds a whole cell again; TCP back-pressure then slows the peer.
        var delay = TimeSpan.FromSeconds(Math.Max(1 - _tokens, 0) / _options.MaxCellsPerSecond);
        NetworkLog.LinkThrottled(_logger, _number, delay);
        await Task.Delay(delay, _time, _lifetime.Token).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        var output = _transport.Output;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (_abortWrites)
                {
                    return;
                }

                var cells = SealQueued(output);
                if (cells < 0)
                {
                    Abort(LinkCloseReason.NonceExhausted);
                    return;
                }

                var flushing = output.FlushAsync();
                if (!flushing.IsCompleted)
                {
                    // The peer is not taking bytes right now; housekeeping ends the link if this lasts.
                    Volatile.Write(ref _flushStartedAt, _time.GetTimestamp());
                    _flushPending = true;
                }

                var flush = await flushing.ConfigureAwait(false);
                _flushPending = false;
                _metrics.CellsOut(cells, (long)cells * LinkFraming.FrameLength);
                Volatile.Write(ref _lastSent, _time.GetTimestamp());
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    Abort(LinkCloseReason.PeerClosed);
                    return;
                }
            }

            // The queue was completed: a graceful close ends the stream after the last cell.
            if (!_abortWrites)
            {
                await output.CompleteAsync().ConfigureAwait(false);
                _transport.Input.CancelPendingRead();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Abort(LinkCloseReason.TransportError);
        }
#pragma warning disable CA1031 // The writer's catch ladder: any fault closes this link, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            NetworkLog.LinkInternalError(_logger, _number, ex);
            Abort(LinkCloseReason.InternalError);
        }
    }

    /// <summary>
    /// The writer's per-cell work: seals up to <see cref="LinkOptions.MaxCellsPerFlush"/> queued cells into
    /// <paramref name="output"/> and gives each buffer back. Returns how many, or -1 when the sending nonce ran out.
    /// </summary>
    internal int SealQueued(PipeWriter output)
    {
        var reader = _outbound.Reader;
        var cells = 0;
        while (cells < _options.MaxCellsPerFlush && reader.TryRead(out var item))
        {
            var span = output.GetSpan(LinkFraming.FrameLength);
            var error = _noise.Sender.Encrypt(item.Cell.Span, span);
            Pool.Return(item.Cell);
            if (error != NoiseError.None)
            {
                Disown(cells + 1);
                return -1;
            }

            output.Advance(LinkFraming.FrameLength);
            cells++;
        }

        Disown(cells);
        return cells;
    }

    private void DrainOutbound()
    {
        var cells = 0;
        while (_outbound.Reader.TryRead(out var item))
        {
            Pool.Return(item.Cell);
            cells++;
        }

        Disown(cells);
    }

    private async Task HousekeepingAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Min(
            Math.Min(_options.KeepaliveInterval.Ticks, _options.IdleTimeout.Ticks),
            Math.Min(_options.DestroyedCircuitLinger.Ticks, _options.WriteStallTimeout.Ticks)) / 4);
        using var timer = new PeriodicTimer(tick, _time);
        var lingerTicks = (long)(_options.DestroyedCircuitLinger.TotalSeconds * _time.TimestampFrequency);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) >= _options.IdleTimeout)
                {
                    Abort(LinkCloseReason.IdleTimeout);
                    return;
                }

                // Receiving proves nothing about the other direction: a peer that sends but never reads stalls the
                // writer, and with it every sender waiting for queue room.
                if (_flushPending && _time.GetElapsedTime(Volatile.Read(ref _flushStartedAt), now) >= _options.WriteStallTimeout)
                {
                    Abort(LinkCloseReason.WriteStalled);
                    return;
                }

                if (_time.GetElapsedTime(Volatile.Read(ref _lastSent), now) >= _options.KeepaliveInterval)
                {
                    var padding = Pool.Rent();
                    PaddingBody.Encode(Cell.WriteHeader(padding.Span, null, CellCommand.Padding));
                    if (!TrySend(padding))
                    {
                        // A full queue means traffic is flowing; no keepalive is needed.
                        Pool.Return(padding);
                    }
                }

                _table.SweepDestroyed(now, lingerTicks);
            }
        }
        catch (OperationCanceledException)
        {
            // The link is closing.
        }
    }

    private void CloseCircuits()
    {
        foreach (var entry in _table.TakeAll())
        {
            switch (entry.State)
            {
                case CircuitEntryState.Open:
                    entry.Reactor!.OnLinkClosed(entry.End);
                    break;
                case CircuitEntryState.Opening when !entry.CreatedByPeer:
                    entry.Pending!.TryComplete(new CircuitCreateResponse(default, CircuitCloseReason.LinkClosed, DestroyReason.ChannelClosed));
                    break;
            }
        }
    }

    /// <summary>A cell in the outbound queue and when it was queued (the runtime clock's timestamp).</summary>
    private readonly record struct OutboundCell(CellBuffer Cell, long QueuedAt);
}
