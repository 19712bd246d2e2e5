namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>Why a host refused a Hello (the one byte of a Refused frame). Any other value is malformed.</summary>
public enum RefusalReason : byte
{
    /// <summary>The host's user blocked this sender: nothing it sends will be stored; its messages fail.</summary>
    Blocked = 1,

    /// <summary>The sender is not a contact and the host takes no more contact requests for now: try again later.</summary>
    RequestRateLimited = 2,

    /// <summary>The host does not speak the Hello's version.</summary>
    UnsupportedVersion = 3,

    /// <summary>The Hello's signature does not verify for this connection's channel binding.</summary>
    InvalidProof = 4,
}
