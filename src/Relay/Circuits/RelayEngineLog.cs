using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The circuit engine's log events (category <c>HiddenPoint.Relay.Engine</c>, ids 3xxx). None carries an address, a
/// circuit id, a key or a relay id: at Information and above they say only what happened and why.
/// </summary>
internal static partial class RelayEngineLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Relay engine listening")]
    public static partial void Listening(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Relay engine stopped accepting new links and circuits")]
    public static partial void StoppedAccepting(ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Connection refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, ConnectionRefusal reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "CREATE2 refused: {Reason}")]
    public static partial void CircuitRefused(ILogger logger, CircuitRefusal reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "EXTEND2 failed: {Outcome}")]
    public static partial void ExtendFailed(ILogger logger, ExtendOutcome outcome);

    // 3006 and 3010 (a failed link to another relay, a failed handshake on it) are retired: the link manager logs
    // launches (HiddenPoint.Network, 1101-1104).

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Relay engine fault; the affected connection or circuit was closed")]
    public static partial void Fault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "No usable consensus: {Reason}; relays cannot be recognised or extended to")]
    public static partial void NoConsensus(ILogger logger, HiddenPoint.Network.Directory.ConsensusUnavailable reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Relay engine drained with {Open} circuits still open")]
    public static partial void Drained(ILogger logger, int open);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Accepting connections failed ({Error}); pausing before the next accept")]
    public static partial void AcceptStalled(ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Closed a circuit for a protocol violation: {Reason} ({HeldBack} more since the last such line; at most one per {Interval})")]
    public static partial void CircuitViolation(ILogger logger, HiddenPoint.Network.Circuits.CircuitCloseReason reason, long heldBack, TimeSpan interval);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Closed a client link after {Violations} of its circuits broke the protocol ({HeldBack} more since the last such line; at most one per {Interval})")]
    public static partial void LinkClosedForViolations(ILogger logger, int violations, long heldBack, TimeSpan interval);
}
