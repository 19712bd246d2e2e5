namespace HiddenPoint.Client.Api.Contract;

/// <summary>A message just queued by <c>send</c>.</summary>
/// <param name="Contact">The recipient's hidden-id.</param>
/// <param name="Id">Its id, 32 hex digits.</param>
/// <param name="Sequence">Its place in the conversation from this side (1, 2, 3…).</param>
/// <param name="State">Its delivery state (<c>queued</c>).</param>
/// <param name="CreatedAt">When it was queued.</param>
public sealed record ApiSentMessage(string Contact, string Id, ulong Sequence, ApiDeliveryState State, DateTimeOffset CreatedAt);

/// <summary>One message of a conversation's history.</summary>
/// <param name="Position">Its place in the store's history; the cursor for the page before it.</param>
/// <param name="Direction">Sent or received.</param>
/// <param name="Id">Its id, 32 hex digits.</param>
/// <param name="Sequence">Its sequence number in its direction.</param>
/// <param name="Text">The text; empty when <paramref name="Damaged"/>.</param>
/// <param name="StoredAt">Outgoing: when the user sent it; incoming: when it was received.</param>
/// <param name="SentAt">Incoming: when the sender says it sent it; null for outgoing.</param>
/// <param name="State">Outgoing: its delivery state; incoming: <c>delivered</c>.</param>
/// <param name="Reason">Outgoing: why it failed or waits.</param>
/// <param name="Damaged">The stored body did not authenticate (changed on disk).</param>
public sealed record ApiHistoryEntry(
    long Position,
    ApiDirection Direction,
    string Id,
    ulong Sequence,
    string Text,
    DateTimeOffset StoredAt,
    DateTimeOffset? SentAt,
    ApiDeliveryState State,
    ApiFailureReason Reason,
    bool Damaged);

/// <summary>A page of history, oldest first.</summary>
/// <param name="Entries">The messages, oldest first.</param>
/// <param name="Older">The cursor (<c>before</c>) for the page before this one; null when this page starts the conversation.</param>
public sealed record ApiHistoryPage(IReadOnlyList<ApiHistoryEntry> Entries, long? Older);
