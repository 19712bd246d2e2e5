using HiddenPoint.Client.Messaging.Ledger;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>Which way a message went.</summary>
public enum MessageDirection : byte
{
    /// <summary>Sent by the user.</summary>
    Outgoing = 1,

    /// <summary>Received from the contact.</summary>
    Incoming = 2,
}

/// <summary>One message of a conversation's history.</summary>
/// <param name="Position">Its place in the store's history, increasing with time of storing; the cursor for paging back.</param>
/// <param name="Direction">Sent or received.</param>
/// <param name="Id">The message id.</param>
/// <param name="Sequence">Its sequence number in its direction of the conversation.</param>
/// <param name="Body">The text (UTF-8); empty when <see cref="Damaged"/>.</param>
/// <param name="StoredAt">Outgoing: when the user sent it; incoming: when it was received.</param>
/// <param name="SentAt">Incoming: when the sender says it sent it; null for outgoing.</param>
/// <param name="State">Outgoing: its delivery state; incoming: <see cref="DeliveryState.Delivered"/>.</param>
/// <param name="Reason">Outgoing: why it failed or waits.</param>
/// <param name="Damaged">The body did not authenticate (changed on disk); the rest of the row is shown as stored.</param>
public sealed record HistoryEntry(
    long Position,
    MessageDirection Direction,
    MessageId Id,
    ulong Sequence,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset StoredAt,
    DateTimeOffset? SentAt,
    DeliveryState State,
    FailureReason Reason,
    bool Damaged);

/// <summary>A page of a conversation's history, oldest first.</summary>
/// <param name="Entries">The messages, oldest first.</param>
/// <param name="Older">The cursor for the page before this one, or null when this page starts the conversation.</param>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Entries, long? Older);
