using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing.Messaging;

/// <summary>
/// An <see cref="IMessageLedger"/> in memory, honouring the interface's contract (sequence numbers from 1 without gaps,
/// idempotent delivery marks, refusal of an acknowledgement beyond the last message and of an incoming message beyond
/// the next expected one). Outlives the engines that use it, so a test can "restart" an engine over the same state.
/// Bodies are copied in, as a store would. Every call completes synchronously under one lock.
/// </summary>
public sealed class InMemoryMessageLedger : IMessageLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<HiddenId, List<OutgoingMessage>> _outgoing = [];
    private readonly Dictionary<HiddenId, List<IncomingMessage>> _incoming = [];

    // Per contact, how far MarkSent and MarkDelivered have already gone: each call only walks what is new, so a long
    // benchmark does not slow down as the outbox grows.
    private readonly Dictionary<HiddenId, (int Sent, int Delivered)> _marked = [];

    /// <summary>How many times <see cref="AcceptIncomingAsync"/> stored a message (duplicates excluded).</summary>
    public int StoredCount { get; private set; }

    /// <summary>Every message sent to <paramref name="contact"/>, in sequence order, with its current state.</summary>
    public IReadOnlyList<OutgoingMessage> Outgoing(HiddenId contact)
    {
        lock (_lock)
        {
            return _outgoing.TryGetValue(contact, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Every message stored from <paramref name="contact"/>, in sequence order.</summary>
    public IReadOnlyList<IncomingMessage> Incoming(HiddenId contact)
    {
        lock (_lock)
        {
            return _incoming.TryGetValue(contact, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Every contact anything was stored from.</summary>
    public IReadOnlyList<HiddenId> Senders()
    {
        lock (_lock)
        {
            return [.. _incoming.Keys];
        }
    }

    /// <inheritdoc/>
    public Task<OutgoingMessage> EnqueueAsync(HiddenId contact, MessageId id, ReadOnlyMemory<byte> body, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        lock (_lock)
        {
            var list = Outbox(contact);
            var message = new OutgoingMessage(contact, id, (ulong)list.Count + 1, body.ToArray(), createdAt, DeliveryState.Queued, FailureReason.None);
            list.Add(message);
            return Task.FromResult(message);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<OutgoingMessage>> PendingAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<OutgoingMessage> pending = [.. Outbox(contact).Where(IsPending)];
            return Task.FromResult(pending);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HiddenId>> ContactsWithPendingAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<HiddenId> contacts = [.. _outgoing.Where(e => e.Value.Any(IsPending)).Select(e => e.Key)];
            return Task.FromResult(contacts);
        }
    }

    /// <inheritdoc/>
    public Task MarkSentAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = Outbox(contact);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(throughSequence, (ulong)list.Count);
            var marked = _marked.GetValueOrDefault(contact);
            for (var i = Math.Max(marked.Sent, marked.Delivered); i < (int)throughSequence; i++)
            {
                if (list[i].State == DeliveryState.Queued)
                {
                    list[i] = list[i] with { State = DeliveryState.Sent };
                }
            }

            _marked[contact] = marked with { Sent = Math.Max(marked.Sent, (int)throughSequence) };

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task MarkDeliveredAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = Outbox(contact);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(throughSequence, (ulong)list.Count);
            var marked = _marked.GetValueOrDefault(contact);
            for (var i = marked.Delivered; i < (int)throughSequence; i++)
            {
                if (list[i].State != DeliveryState.Failed)
                {
                    list[i] = list[i] with { State = DeliveryState.Delivered, Reason = FailureReason.None };
                }
            }

            _marked[contact] = marked with { Delivered = Math.Max(marked.Delivered, (int)throughSequence) };

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task MarkFailedAsync(HiddenId contact, MessageId id, FailureReason reason, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = Outbox(contact);
            var index = list.FindIndex(m => m.Id == id);
            if (index < 0)
            {
                throw new ArgumentException("No such message.", nameof(id));
            }

            list[index] = list[index] with { State = DeliveryState.Failed, Reason = reason };
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task<ulong> DeliveredThroughAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_incoming.TryGetValue(contact, out var list) ? (ulong)list.Count : 0);
        }
    }

    /// <inheritdoc/>
    public Task<bool> AcceptIncomingAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            if (!_incoming.TryGetValue(message.Contact, out var list))
            {
                list = [];
                _incoming[message.Contact] = list;
            }

            var next = (ulong)list.Count + 1;
            if (message.Sequence < next)
            {
                return Task.FromResult(false);
            }

            ArgumentOutOfRangeException.ThrowIfNotEqual(message.Sequence, next);
            list.Add(message with { Body = message.Body.ToArray() });
            StoredCount++;
            return Task.FromResult(true);
        }
    }

    private static bool IsPending(OutgoingMessage message) => message.State is DeliveryState.Queued or DeliveryState.Sent;

    private List<OutgoingMessage> Outbox(HiddenId contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (!_outgoing.TryGetValue(contact, out var list))
        {
            list = [];
            _outgoing[contact] = list;
        }

        return list;
    }
}
