namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>Where a conversation's connection stands, as a user sees it.</summary>
public enum ConversationStatus
{
    /// <summary>No connection and nothing to send.</summary>
    Idle = 0,

    /// <summary>Opening a connection.</summary>
    Connecting = 1,

    /// <summary>At least one connection is open.</summary>
    Connected = 2,

    /// <summary>"Waiting for contact": messages wait; the next attempt is scheduled (see <see cref="WaitReason"/>).</summary>
    WaitingForContact = 3,
}

/// <summary>Why a conversation waits for its contact.</summary>
public enum WaitReason
{
    /// <summary>It does not wait.</summary>
    None = 0,

    /// <summary>The contact's hidden point could not be reached (offline, or the connection failed).</summary>
    Unreachable = 1,

    /// <summary>The contact takes no more contact requests for now.</summary>
    RequestRateLimited = 2,

    /// <summary>The contact speaks another protocol version.</summary>
    UnsupportedVersion = 3,

    /// <summary>The contact refused this side's proof, or broke the protocol during the Hello.</summary>
    HandshakeFailed = 4,

    /// <summary>The contact blocked this side: its pending messages failed.</summary>
    Blocked = 5,
}
