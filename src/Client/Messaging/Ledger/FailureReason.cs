namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>Why a message was given up, or why it still waits.</summary>
public enum FailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>The recipient refused it (blocked this sender, or rejected the contact request).</summary>
    Refused = 1,

    /// <summary>Larger than the stated per-message limit.</summary>
    TooLarge = 2,

    /// <summary>The user cancelled it.</summary>
    Cancelled = 3,

    /// <summary>The recipient's hidden point could not be reached yet (the message waits; not a final state).</summary>
    RecipientUnreachable = 4,
}
