namespace HiddenPoint.Client.Api.Contract;

/// <summary>
/// One event of the stream (the parameter of the <c>event</c> notification). <see cref="Type"/> says which fields are
/// set; the others are absent (null) on the wire.
/// </summary>
/// <remarks>
/// message-received: Contact, Id, Sequence, Text, SentAt, ReceivedAt, FromContactRequest.
/// delivery-state-changed: Contact, Id, Sequence, State, Reason.
/// contact-request-received: Contact.
/// conversation-status-changed: Contact, Status, WaitReason, NextAttemptAt.
/// </remarks>
public sealed record ApiEvent
{
    /// <summary>What happened.</summary>
    public required ApiEventType Type { get; init; }

    /// <summary>The contact's hidden-id (every event).</summary>
    public required string Contact { get; init; }

    /// <summary>The message id, 32 hex digits.</summary>
    public string? Id { get; init; }

    /// <summary>The message's sequence number in its direction.</summary>
    public ulong? Sequence { get; init; }

    /// <summary>The received text.</summary>
    public string? Text { get; init; }

    /// <summary>When the sender says it sent the message.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>When the message was stored here.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>True when the sender is not a contact: the message is part of a contact request.</summary>
    public bool? FromContactRequest { get; init; }

    /// <summary>The sent message's new delivery state.</summary>
    public ApiDeliveryState? State { get; init; }

    /// <summary>Why it failed or waits.</summary>
    public ApiFailureReason? Reason { get; init; }

    /// <summary>The conversation's new status.</summary>
    public ApiConversationStatus? Status { get; init; }

    /// <summary>Why the conversation waits.</summary>
    public ApiWaitReason? WaitReason { get; init; }

    /// <summary>When the conversation waits: the next attempt.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
