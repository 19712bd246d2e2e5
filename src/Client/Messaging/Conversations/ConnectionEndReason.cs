namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>Why a conversation stopped using a connection.</summary>
public enum ConnectionEndReason
{
    /// <summary>The peer closed its side.</summary>
    ClosedByPeer = 1,

    /// <summary>The stream failed (the circuit broke).</summary>
    Faulted = 2,

    /// <summary>The peer sent bytes that are not a valid frame.</summary>
    Malformed = 3,

    /// <summary>The peer sent a valid frame that is not allowed here (or an impossible acknowledgement).</summary>
    ProtocolViolation = 4,

    /// <summary>The peer sent frames faster than this side could handle them.</summary>
    Flooded = 5,

    /// <summary>A newer connection replaced it and its grace period ended.</summary>
    Replaced = 6,

    /// <summary>This side stopped.</summary>
    Stopped = 7,
}
