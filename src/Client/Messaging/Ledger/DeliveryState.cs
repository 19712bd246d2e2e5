namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>Where a message the user sent stands.</summary>
public enum DeliveryState
{
    /// <summary>In the outbox, not yet written to a connection (or to be written again).</summary>
    Queued = 1,

    /// <summary>Written to a connection at least once; no acknowledgement yet.</summary>
    Sent = 2,

    /// <summary>Acknowledged by the recipient: stored there, never to be sent again.</summary>
    Delivered = 3,

    /// <summary>Given up (see <see cref="FailureReason"/>); stays visible with its reason.</summary>
    Failed = 4,
}
