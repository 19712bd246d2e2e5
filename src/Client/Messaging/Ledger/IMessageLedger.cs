using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>
/// The durable state a conversation needs, one implementation per store (the encrypted SQLite store; an in-memory one
/// in tests). Every method that changes state is atomic and durable when its task completes: a process killed at any
/// moment afterwards still has the change, and one killed before has none of it. The conversation engine acknowledges
/// a received message only after <see cref="AcceptIncomingAsync"/> has completed, and forgets an outgoing message only
/// after <see cref="MarkDeliveredAsync"/> has; that is what makes "nothing acknowledged is lost" hold.
/// <para>
/// Calls may be pipelined: the engine starts a run of <see cref="EnqueueAsync"/> or <see cref="AcceptIncomingAsync"/>
/// calls before it awaits the first. An implementation applies changes in the order the calls were made (each call
/// sees the effect of every earlier one), so that a run commits together and still gets its sequence numbers, and
/// passes its checks, exactly as one call after another would.
/// </para>
/// </summary>
public interface IMessageLedger
{
    /// <summary>
    /// Puts a message in the outbox with the next sequence number of its conversation (1 for the first), state
    /// <see cref="DeliveryState.Queued"/>, and returns it.
    /// </summary>
    Task<OutgoingMessage> EnqueueAsync(HiddenId contact, MessageId id, ReadOnlyMemory<byte> body, DateTimeOffset createdAt, CancellationToken cancellationToken);

    /// <summary>The messages to <paramref name="contact"/> not yet delivered nor failed, in sequence order.</summary>
    Task<IReadOnlyList<OutgoingMessage>> PendingAsync(HiddenId contact, CancellationToken cancellationToken);

    /// <summary>Every contact with at least one message pending (for resuming after a restart).</summary>
    Task<IReadOnlyList<HiddenId>> ContactsWithPendingAsync(CancellationToken cancellationToken);

    /// <summary>Records that messages up to and including <paramref name="throughSequence"/> were written to a connection.</summary>
    Task MarkSentAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken);

    /// <summary>
    /// Records the recipient's acknowledgement: every message to <paramref name="contact"/> with a sequence number up to
    /// and including <paramref name="throughSequence"/> is delivered. Idempotent; an acknowledgement beyond the last
    /// enqueued sequence is refused with <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    Task MarkDeliveredAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken);

    /// <summary>Gives one message up with <paramref name="reason"/>.</summary>
    Task MarkFailedAsync(HiddenId contact, MessageId id, FailureReason reason, CancellationToken cancellationToken);

    /// <summary>The highest sequence number from <paramref name="contact"/> stored so far with none missing below it (0 for none).</summary>
    Task<ulong> DeliveredThroughAsync(HiddenId contact, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a received message when its sequence number is exactly one past <see cref="DeliveredThroughAsync"/>, and
    /// returns true; returns false and stores nothing for a sequence number already stored (a duplicate). A sequence
    /// number further ahead is the caller's to hold until the gap is filled: refused with <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    Task<bool> AcceptIncomingAsync(IncomingMessage message, CancellationToken cancellationToken);
}
