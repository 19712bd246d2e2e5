namespace HiddenPoint.Client.Api.Contract;

// The enums of the wire: each value travels as its name in kebab-case lower-case letters ("delivered",
// "waiting-for-contact"), never as a number (ApiJson registers the converter).

/// <summary>Where a sent message stands.</summary>
public enum ApiDeliveryState
{
    /// <summary>In the outbox, not yet written to a connection.</summary>
    Queued = 1,

    /// <summary>Written to a connection; no acknowledgement yet.</summary>
    Sent,

    /// <summary>Acknowledged by the recipient (for a received message: stored here).</summary>
    Delivered,

    /// <summary>Given up; see the reason.</summary>
    Failed,
}

/// <summary>Why a message failed or waits.</summary>
public enum ApiFailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>The recipient refused it (blocked the sender or rejected the request).</summary>
    Refused,

    /// <summary>Larger than the per-message limit.</summary>
    TooLarge,

    /// <summary>The user cancelled it.</summary>
    Cancelled,

    /// <summary>The recipient could not be reached yet (it waits; not final).</summary>
    RecipientUnreachable,
}

/// <summary>Which way a message went.</summary>
public enum ApiDirection
{
    /// <summary>Sent by the user.</summary>
    Outgoing = 1,

    /// <summary>Received.</summary>
    Incoming,
}

/// <summary>Where a contact stands.</summary>
public enum ApiContactState
{
    /// <summary>Added or accepted: messages both ways.</summary>
    Accepted = 1,

    /// <summary>An incoming request waiting for an answer.</summary>
    Requested,

    /// <summary>Refused before any of its messages is stored.</summary>
    Blocked,
}

/// <summary>What a change to the contact list did.</summary>
public enum ApiContactResult
{
    /// <summary>A new entry was made.</summary>
    Added = 1,

    /// <summary>The existing entry was changed.</summary>
    Updated,

    /// <summary>The entry was removed.</summary>
    Removed,

    /// <summary>Nothing changed: no entry for that hidden-id.</summary>
    NotFound,

    /// <summary>Nothing changed: there already is an entry.</summary>
    AlreadyExists,

    /// <summary>Nothing changed: the entry is not a pending request.</summary>
    NotARequest,
}

/// <summary>Where a conversation's connection stands.</summary>
public enum ApiConversationStatus
{
    /// <summary>No connection, nothing to send.</summary>
    Idle = 0,

    /// <summary>Opening a connection.</summary>
    Connecting,

    /// <summary>At least one connection is open.</summary>
    Connected,

    /// <summary>Messages wait for the contact; the next attempt is scheduled.</summary>
    WaitingForContact,
}

/// <summary>Why a conversation waits.</summary>
public enum ApiWaitReason
{
    /// <summary>It does not wait.</summary>
    None = 0,

    /// <summary>The contact's hidden point could not be reached.</summary>
    Unreachable,

    /// <summary>The contact takes no more contact requests for now.</summary>
    RequestRateLimited,

    /// <summary>The contact speaks another protocol version.</summary>
    UnsupportedVersion,

    /// <summary>The handshake with the contact failed.</summary>
    HandshakeFailed,

    /// <summary>The contact blocked this user.</summary>
    Blocked,
}

/// <summary>What an <see cref="ApiEvent"/> reports.</summary>
public enum ApiEventType
{
    /// <summary>A message was received and stored (once, in order).</summary>
    MessageReceived = 1,

    /// <summary>A sent message changed state.</summary>
    DeliveryStateChanged,

    /// <summary>An unknown sender asks to become a contact; its messages follow as message-received.</summary>
    ContactRequestReceived,

    /// <summary>A conversation's connection state changed.</summary>
    ConversationStatusChanged,
}
