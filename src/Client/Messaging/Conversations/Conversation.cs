using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// One contact's conversation: the sender's window and retries, the receiver's in-order delivery, its connections and
/// their rotation. A single loop owns every field; connections, timers and the user only post commands to it.
/// Durable state lives in the ledger: messages are acknowledged only after the ledger stored them, and forgotten only
/// after the ledger recorded their delivery (docs/messaging.md, "Sender and receiver").
/// </summary>
internal sealed class Conversation : IDisposable
{
    // How many commands one pass handles before writing and flushing, so that acknowledgements are not held back
    // behind a long burst.
    private const int MaxCommandsPerPass = 256;

    // The most ledger calls started before the first of them is awaited (the store commits up to 256 changes at once).
    private const int MaxPipelinedRun = 256;

    private readonly HiddenId _contact;
    private readonly long _number;

    // When both sides open a connection at once, the one dialed by the side whose identity key sorts first survives
    // on both sides (docs/messaging.md §6.2).
    private readonly bool _myConnectionsWinCrossings;
    private readonly MessagingEngine _engine;
    private readonly MessagingOptions _options;
    private readonly IMessageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<ConversationCommand> _inbox = Channel.CreateUnbounded<ConversationCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new();

    // Sending: messages not yet acknowledged, in sequence order, from _pendingHead on.
    private readonly List<OutgoingMessage> _pending = [];
    private int _pendingHead;
    private ulong _ackedThrough;
    private ulong _writtenThrough;
    private ulong _markedSentThrough;
    private ulong _lastEnqueued;

    // Receiving.
    private readonly SortedDictionary<ulong, MessageFrame> _held = [];
    private ulong _deliveredThrough;
    private bool _isContactRequest;

    // Connections: every open one, oldest first; the newest is current and carries new messages.
    private readonly List<ConversationConnection> _live = [];
    private ConversationConnection? _current;
    private int _sentOnCurrent;
    private bool _dialing;
    private long _dialNumber;
    private bool _rotationDue;
    private int _failures;
    private ITimer? _retryTimer;
    private ITimer? _rotationTimer;
    private ConversationStatus _status;
    private WaitReason _waitReason;
    private Task _loop = Task.CompletedTask;

    public Conversation(HiddenId contact, long number, MessagingEngine engine)
    {
        _contact = contact;
        _number = number;
        _engine = engine;
        _myConnectionsWinCrossings = engine.Identity.PublicKey.Bytes.SequenceCompareTo(contact.IdentityKey.Bytes) < 0;
        _options = engine.Options;
        _ledger = engine.Ledger;
        _time = engine.Time;
        _logger = engine.Logger;
    }

    public void Start() => _loop = RunAsync();

    public bool Post(ConversationCommand command) => _inbox.Writer.TryWrite(command);

    public async Task<OutgoingMessage> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<OutgoingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new SendCommand(body, done)))
        {
            throw new InvalidOperationException("The conversation has stopped.");
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        _inbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            await LoadAsync(token).ConfigureAwait(false);
            await PumpAsync(token).ConfigureAwait(false);
            var reader = _inbox.Reader;
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var handled = 0;
                while (handled < MaxCommandsPerPass && reader.TryRead(out var command))
                {
                    await HandleAsync(command, token).ConfigureAwait(false);
                    handled++;
                }

                await PumpAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A fault (the ledger failed) stops this conversation, never the engine.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            MessagingLog.ConversationFaulted(_logger, _number, exception);
            _inbox.Writer.TryComplete(exception);
        }
        finally
        {
            _retryTimer?.Dispose();
            _rotationTimer?.Dispose();
            foreach (var connection in _live.ToArray())
            {
                await EndAsync(connection, ConnectionEndReason.Stopped).ConfigureAwait(false);
            }

            while (_inbox.Reader.TryRead(out var left))
            {
                switch (left)
                {
                    case SendCommand send:
                        send.Done.TrySetException(new InvalidOperationException("The conversation has stopped."));
                        break;
                    case ConnectionAttached attached:
                        await attached.Connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
                        break;
                }
            }
        }
    }

    private async Task LoadAsync(CancellationToken token)
    {
        var pending = await _ledger.PendingAsync(_contact, token).ConfigureAwait(false);
        _pending.AddRange(pending);
        if (pending.Count > 0)
        {
            // The ledger's sequences have no gap: everything before the first pending one is settled.
            _ackedThrough = pending[0].Sequence - 1;
            _writtenThrough = _ackedThrough;
            _markedSentThrough = _ackedThrough;
            _lastEnqueued = pending[^1].Sequence;
        }

        _deliveredThrough = await _ledger.DeliveredThroughAsync(_contact, token).ConfigureAwait(false);
    }

    private int PendingCount => _pending.Count - _pendingHead;

    private async Task HandleAsync(ConversationCommand command, CancellationToken token)
    {
        switch (command)
        {
            case SendCommand send:
                await EnqueueAsync(TakeFollowingSends(send), token).ConfigureAwait(false);
                break;
            case FrameArrived arrived:
                arrived.Connection.FrameHandled();
                if (!arrived.Connection.Ended)
                {
                    await OnFrameAsync(arrived.Connection, arrived.Frame, token).ConfigureAwait(false);
                }

                break;
            case ConnectionAttached attached:
                await AttachAsync(attached.Connection, attached.AsContactRequest).ConfigureAwait(false);
                break;
            case DialFailed failed:
                await OnDialFailedAsync(failed, token).ConfigureAwait(false);
                break;
            case ConnectionEnded ended:
                await EndAsync(ended.Connection, ended.Reason).ConfigureAwait(false);
                break;
            case GraceExpired grace:
                await OnGraceExpiredAsync(grace.Connection).ConfigureAwait(false);
                break;
            case RetryDue:
                _retryTimer?.Dispose();
                _retryTimer = null;
                break;
            case RotateRequested:
                if (_current is not null)
                {
                    _rotationDue = true;
                }

                break;
        }
    }

    // Sends queued one after another are written to the ledger as one pipelined run: every call is started before the
    // first is awaited, so the store commits them together instead of one commit (one fsync) per message.
    private List<SendCommand> TakeFollowingSends(SendCommand first)
    {
        var run = new List<SendCommand> { first };
        while (run.Count < MaxPipelinedRun && _inbox.Reader.TryPeek(out var next) && next is SendCommand send)
        {
            _inbox.Reader.TryRead(out _);
            run.Add(send);
        }

        return run;
    }

    private async Task EnqueueAsync(List<SendCommand> sends, CancellationToken token)
    {
        var enqueued = new Task<OutgoingMessage>[sends.Count];
        var now = _time.GetUtcNow();
        for (var i = 0; i < sends.Count; i++)
        {
            enqueued[i] = _ledger.EnqueueAsync(_contact, MessageId.NewRandom(), sends[i].Body, now, token);
        }

        for (var i = 0; i < sends.Count; i++)
        {
            OutgoingMessage message;
            try
            {
                message = await enqueued[i].ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The conversation stops on a ledger fault; the sends of this run not yet answered hear why.
                for (var j = i; j < sends.Count; j++)
                {
                    sends[j].Done.TrySetException(exception);
                }

                throw;
            }

            if (PendingCount == 0 && message.Sequence - 1 > _ackedThrough)
            {
                // Everything before it was settled earlier (delivered or failed).
                _ackedThrough = message.Sequence - 1;
                _writtenThrough = Math.Max(_writtenThrough, _ackedThrough);
                _markedSentThrough = Math.Max(_markedSentThrough, _ackedThrough);
            }

            _pending.Add(message);
            _lastEnqueued = message.Sequence;
            await _engine.RaiseAsync(new DeliveryStateChanged(_contact, message.Id, message.Sequence, DeliveryState.Queued, FailureReason.None), token).ConfigureAwait(false);
            sends[i].Done.TrySetResult(message);
        }
    }

    private async Task OnFrameAsync(ConversationConnection connection, ConversationFrame frame, CancellationToken token)
    {
        switch (frame)
        {
            case MessageFrame message:
                connection.LastMessageAt = _time.GetTimestamp();
                await OnMessageAsync(message, token).ConfigureAwait(false);
                connection.NeedsAck = true;
                break;
            case AckFrame ack:
                if (ack.Through > _lastEnqueued)
                {
                    MessagingLog.ProtocolViolation(_logger, _number, connection.Number, "acknowledgement beyond the last message sent");
                    await EndAsync(connection, ConnectionEndReason.ProtocolViolation).ConfigureAwait(false);
                    break;
                }

                await OnAckAsync(ack.Through, token).ConfigureAwait(false);
                break;
            default:
                MessagingLog.ProtocolViolation(_logger, _number, connection.Number, "a Hello-phase frame after the Hello");
                await EndAsync(connection, ConnectionEndReason.ProtocolViolation).ConfigureAwait(false);
                break;
        }
    }

    private async Task OnMessageAsync(MessageFrame message, CancellationToken token)
    {
        if (message.Sequence <= _deliveredThrough)
        {
            return; // A duplicate (a retry, or the same message on two connections): acknowledged again, stored once.
        }

        if (message.Sequence != _deliveredThrough + 1)
        {
            // Out of order: held until the gap fills, within bounds; one further ahead comes again after a retry.
            if (message.Sequence - _deliveredThrough - 1 <= (ulong)_options.MaxHeldOutOfOrder && _held.Count < _options.MaxHeldOutOfOrder)
            {
                _held.TryAdd(message.Sequence, message);
            }

            return;
        }

        // The run of consecutive messages that can be stored now: this one, those right behind it in the inbox, and
        // those held that continue it. Stored pipelined (one commit for the run), each still exactly once and in order.
        var run = new List<MessageFrame> { message };
        while (run.Count < MaxPipelinedRun && _inbox.Reader.TryPeek(out var next)
            && next is FrameArrived { Frame: MessageFrame following } arrived && !arrived.Connection.Ended && following.Sequence == run[^1].Sequence + 1)
        {
            _inbox.Reader.TryRead(out _);
            arrived.Connection.FrameHandled();
            arrived.Connection.NeedsAck = true;
            run.Add(following);
        }

        while (_held.Remove(run[^1].Sequence + 1, out var held))
        {
            run.Add(held);
        }

        await StoreAsync(run, token).ConfigureAwait(false);

        // Anything held at or below what is now stored is a duplicate.
        while (_held.Count > 0 && _held.First().Key <= _deliveredThrough)
        {
            _held.Remove(_held.First().Key);
        }
    }

    private async Task StoreAsync(List<MessageFrame> run, CancellationToken token)
    {
        var received = _time.GetUtcNow();
        var incoming = new IncomingMessage[run.Count];
        var stores = new Task<bool>[run.Count];
        for (var i = 0; i < run.Count; i++)
        {
            incoming[i] = new IncomingMessage(_contact, run[i].Id, run[i].Sequence, run[i].Body, run[i].SentAt, received);
            stores[i] = _ledger.AcceptIncomingAsync(incoming[i], token);
        }

        for (var i = 0; i < run.Count; i++)
        {
            var stored = await stores[i].ConfigureAwait(false);
            _deliveredThrough = run[i].Sequence;
            if (stored)
            {
                await _engine.RaiseAsync(new MessageReceived(incoming[i], _isContactRequest), token).ConfigureAwait(false);
            }
        }
    }

    private async Task OnAckAsync(ulong through, CancellationToken token)
    {
        if (through <= _ackedThrough)
        {
            return; // An older acknowledgement, overtaken (from another connection).
        }

        await _ledger.MarkDeliveredAsync(_contact, through, token).ConfigureAwait(false);
        _ackedThrough = through;
        _writtenThrough = Math.Max(_writtenThrough, through);
        _markedSentThrough = Math.Max(_markedSentThrough, through);
        while (_pendingHead < _pending.Count && _pending[_pendingHead].Sequence <= through)
        {
            var delivered = _pending[_pendingHead++];
            await _engine.RaiseAsync(new DeliveryStateChanged(_contact, delivered.Id, delivered.Sequence, DeliveryState.Delivered, FailureReason.None), token).ConfigureAwait(false);
        }

        if (_pendingHead > 1024 && _pendingHead * 2 > _pending.Count)
        {
            _pending.RemoveRange(0, _pendingHead);
            _pendingHead = 0;
        }
    }

    private async Task AttachAsync(ConversationConnection connection, bool asContactRequest)
    {
        if (!connection.Outgoing)
        {
            // The host's decision for this sender, taken at this connection's Hello, marks what it sends from now on.
            _isContactRequest = asContactRequest;
            connection.ArrivedDuringDial = _dialing ? _dialNumber : 0;
        }
        else
        {
            _dialing = false;
        }

        // The contact is reachable: any back-off is over.
        _failures = 0;
        _retryTimer?.Dispose();
        _retryTimer = null;

        MessagingLog.ConnectionOpened(_logger, _number, connection.Number, connection.Outgoing ? "outgoing" : "incoming");
        var previous = _current;
        _rotationDue = false;
        _ = connection.ReadAsync(_inbox.Writer, _options.MaxUnhandledFramesPerConnection, _logger);
        if (previous is not null && IsCrossing(previous, connection) && previous.Outgoing == _myConnectionsWinCrossings)
        {
            // Both sides dialed at once and the other side keeps the earlier connection as current too: the new one is
            // the replaced one here, placed before the current so that the newest live connection stays current.
            _live.Insert(_live.IndexOf(previous), connection);
            connection.GraceTimer = _time.CreateTimer(_ => Post(new GraceExpired(connection)), null, _options.GracePeriod, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _live.Add(connection);
            _current = connection;
            _sentOnCurrent = 0;
            if (previous is not null)
            {
                // The old connection keeps delivering for the grace period, then closes.
                previous.GraceTimer = _time.CreateTimer(_ => Post(new GraceExpired(previous)), null, _options.GracePeriod, Timeout.InfiniteTimeSpan);
            }
        }

        _rotationTimer?.Dispose();
        _rotationTimer = _options.RotationInterval > TimeSpan.Zero
            ? _time.CreateTimer(_ => Post(new RotateRequested()), null, _options.RotationInterval, Timeout.InfiniteTimeSpan)
            : null;
        await SetStatusAsync(ConversationStatus.Connected, WaitReason.None, null).ConfigureAwait(false);
    }

    // A replaced connection closes at the end of its grace period unless the contact is still sending Messages on it:
    // then the contact took it as current (both sides dialed at once and the crossing rule could not see it from
    // here), and closing it would cut the contact's current connection. It stays until a grace period passes with no
    // Message on it. A connection that became current again is not closed by a timer set before.
    private async Task OnGraceExpiredAsync(ConversationConnection connection)
    {
        if (connection == _current || connection.Ended)
        {
            return;
        }

        var quiet = connection.LastMessageAt == 0 ? TimeSpan.MaxValue : _time.GetElapsedTime(connection.LastMessageAt);
        if (quiet < _options.GracePeriod)
        {
            connection.GraceTimer?.Dispose();
            connection.GraceTimer = _time.CreateTimer(_ => Post(new GraceExpired(connection)), null, _options.GracePeriod - quiet, Timeout.InfiniteTimeSpan);
            return;
        }

        await EndAsync(connection, ConnectionEndReason.Replaced).ConfigureAwait(false);
    }

    // This side's dial completing after the contact's connection arrived while it was in flight: the two crossed, and
    // each side would otherwise make the one it took last current and close the other after the grace period, so each
    // would close the other's current.
    private bool IsCrossing(ConversationConnection current, ConversationConnection attaching) =>
        attaching.Outgoing && !current.Outgoing && current.ArrivedDuringDial == _dialNumber;

    private async Task OnDialFailedAsync(DialFailed failed, CancellationToken token)
    {
        _dialing = false;
        if (failed.Refusal is { } refusal)
        {
            MessagingLog.RefusedByContact(_logger, _number, refusal);
        }

        if (failed.Refusal == RefusalReason.Blocked)
        {
            // Blocked: what waits would never be stored there. It fails, visibly, with its reason.
            while (_pendingHead < _pending.Count)
            {
                var message = _pending[_pendingHead++];
                await _ledger.MarkFailedAsync(_contact, message.Id, FailureReason.Refused, token).ConfigureAwait(false);
                await _engine.RaiseAsync(new DeliveryStateChanged(_contact, message.Id, message.Sequence, DeliveryState.Failed, FailureReason.Refused), token).ConfigureAwait(false);
            }

            _ackedThrough = _writtenThrough = _markedSentThrough = _lastEnqueued;
            _rotationDue = false;
            await SetStatusAsync(_current is null ? ConversationStatus.Idle : ConversationStatus.Connected, WaitReason.Blocked, null).ConfigureAwait(false);
            return;
        }

        if (_current is not null)
        {
            // A rotation failed: the current connection goes on carrying messages; the next rotation tries again.
            _rotationDue = false;
            _sentOnCurrent = 0;
            return;
        }

        _failures++;
        var delay = RetryBackoff.Delay(_failures, _options, _random);
        MessagingLog.WaitingForContact(_logger, _number, failed.Reason, _failures, delay);
        _retryTimer?.Dispose();
        _retryTimer = _time.CreateTimer(_ => Post(new RetryDue()), null, delay, Timeout.InfiniteTimeSpan);
        await SetStatusAsync(ConversationStatus.WaitingForContact, failed.Reason, _time.GetUtcNow() + delay).ConfigureAwait(false);
    }

    private async Task EndAsync(ConversationConnection connection, ConnectionEndReason reason)
    {
        if (connection.Ended)
        {
            return;
        }

        connection.Ended = true;
        MessagingLog.ConnectionEnded(_logger, _number, connection.Number, reason);
        _live.Remove(connection);
        await connection.CloseAsync(readLoopRunning: true).ConfigureAwait(false);
        if (_current == connection)
        {
            _current = _live.Count > 0 ? _live[^1] : null;
            _current?.GraceTimer?.Dispose();
            _sentOnCurrent = 0;
        }

        // What it carried and was not acknowledged may be lost with it: write everything after the last acknowledgement
        // again, in order (the receiver drops what it already has).
        if (connection.WrittenThrough > _ackedThrough)
        {
            _writtenThrough = _ackedThrough;
        }
        if (_current is null && !_stop.IsCancellationRequested)
        {
            await SetStatusAsync(PendingCount > 0 ? _status : ConversationStatus.Idle, _waitReason, null).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what the window allows, acknowledgements, flushes, records what was sent, and dials if needed.</summary>
    private async Task PumpAsync(CancellationToken token)
    {
        if (_current is { } current && !_rotationDue)
        {
            var window = _ackedThrough + (ulong)_options.WindowSize;
            var rotateEvery = _options.RotateEveryMessages;
            var index = _pendingHead + (int)(_writtenThrough - _ackedThrough);
            while (index < _pending.Count && _pending[index].Sequence <= window)
            {
                if (rotateEvery > 0 && _sentOnCurrent >= rotateEvery)
                {
                    _rotationDue = true;
                    break;
                }

                var message = _pending[index++];
                FrameEncoder.WriteMessage(current.Output, message.Id, message.Sequence, message.CreatedAt, message.Body.Span);
                _writtenThrough = message.Sequence;
                current.WrittenThrough = message.Sequence;
                _sentOnCurrent++;
                current.Dirty = true;
            }

            if (rotateEvery > 0 && _sentOnCurrent >= rotateEvery)
            {
                _rotationDue = true;
            }
        }

        foreach (var connection in _live)
        {
            if (connection.NeedsAck)
            {
                FrameEncoder.WriteAck(connection.Output, _deliveredThrough);
                connection.NeedsAck = false;
                connection.Dirty = true;
            }
        }

        for (var i = _live.Count - 1; i >= 0 && i < _live.Count; i--)
        {
            var connection = _live[i];
            if (!connection.Dirty)
            {
                continue;
            }

            connection.Dirty = false;
            bool completed;
            try
            {
                completed = (await connection.Output.FlushAsync(token).ConfigureAwait(false)).IsCompleted;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                completed = true;
            }

            if (completed)
            {
                await EndAsync(connection, ConnectionEndReason.ClosedByPeer).ConfigureAwait(false);
            }
        }

        if (_writtenThrough > _markedSentThrough)
        {
            await _ledger.MarkSentAsync(_contact, _writtenThrough, token).ConfigureAwait(false);
            for (var i = _pendingHead + (int)(_markedSentThrough - _ackedThrough); i < _pending.Count && _pending[i].Sequence <= _writtenThrough; i++)
            {
                await _engine.RaiseAsync(new DeliveryStateChanged(_contact, _pending[i].Id, _pending[i].Sequence, DeliveryState.Sent, FailureReason.None), token).ConfigureAwait(false);
            }

            _markedSentThrough = _writtenThrough;
        }

        var wantsConnection = (_current is null && PendingCount > 0) || (_current is not null && _rotationDue);
        if (wantsConnection && !_dialing && _retryTimer is null && !token.IsCancellationRequested)
        {
            _dialing = true;
            _dialNumber++;
            if (_current is null)
            {
                await SetStatusAsync(ConversationStatus.Connecting, _waitReason, null).ConfigureAwait(false);
            }
            else
            {
                MessagingLog.Rotating(_logger, _number);
            }

            _ = DialAsync(token);
        }
    }

    private async Task DialAsync(CancellationToken token)
    {
        ConversationTransport? transport = null;
        try
        {
            transport = await _engine.Dialer.DialAsync(_contact, token).ConfigureAwait(false);
            using var helloTimeout = new CancellationTokenSource(_options.HelloTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token, helloTimeout.Token);
            var answer = await ConversationHandshake.ConnectAsync(transport, _engine.Identity, timeout.Token).ConfigureAwait(false);
            if (answer is HelloAcceptedFrame)
            {
                var connection = new ConversationConnection(_engine.NextConnectionNumber(), transport, outgoing: true);
                if (!Post(new ConnectionAttached(connection, AsContactRequest: false)))
                {
                    await connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
                }

                return;
            }

            await Abandon(transport).ConfigureAwait(false);
            var refusal = (answer as RefusedFrame)?.Reason;
            var reason = refusal switch
            {
                RefusalReason.RequestRateLimited => WaitReason.RequestRateLimited,
                RefusalReason.UnsupportedVersion => WaitReason.UnsupportedVersion,
                RefusalReason.Blocked => WaitReason.Blocked,
                _ => WaitReason.HandshakeFailed,
            };
            Post(new DialFailed(reason, refusal));
        }
#pragma warning disable CA1031 // Whatever dialing throws means the contact was not reached this time.
        catch (Exception)
#pragma warning restore CA1031
        {
            if (transport is not null)
            {
                await Abandon(transport).ConfigureAwait(false);
            }

            Post(new DialFailed(WaitReason.Unreachable, null));
        }
    }

    private static async Task Abandon(ConversationTransport transport)
    {
        await transport.Pipe.Output.CompleteAsync().ConfigureAwait(false);
        await transport.Pipe.Input.CompleteAsync().ConfigureAwait(false);
        if (transport.Owner is { } owner)
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task SetStatusAsync(ConversationStatus status, WaitReason reason, DateTimeOffset? nextAttemptAt)
    {
        if (status == ConversationStatus.Connected || status == ConversationStatus.Idle)
        {
            reason = status == ConversationStatus.Idle && reason == WaitReason.Blocked ? reason : WaitReason.None;
        }

        if (status == _status && reason == _waitReason && nextAttemptAt is null)
        {
            return;
        }

        _status = status;
        _waitReason = reason;
        await _engine.RaiseAsync(new ConversationStatusChanged(_contact, status, reason, nextAttemptAt), _stop.Token).ConfigureAwait(false);
    }
}
