namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>What became of an incoming connection at its Hello.</summary>
public enum IncomingConnectionOutcome
{
    /// <summary>A contact: the connection joined its conversation.</summary>
    Accepted = 1,

    /// <summary>An unknown sender admitted as a contact request: the connection joined its conversation.</summary>
    AcceptedAsRequest = 2,

    /// <summary>Refused: the sender is blocked. Nothing was stored.</summary>
    RefusedBlocked = 3,

    /// <summary>Refused: too many contact requests in the current window. Nothing was stored.</summary>
    RefusedRateLimited = 4,

    /// <summary>Refused: the Hello's proof does not verify for this connection (a replayed or forged Hello).</summary>
    RefusedInvalidProof = 5,

    /// <summary>Refused: another protocol version.</summary>
    RefusedUnsupportedVersion = 6,

    /// <summary>Closed: the first bytes were not a Hello, the stream ended, or the Hello did not come in time.</summary>
    Failed = 7,
}
