using HiddenPoint.Client.Messaging.Conversations;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// The messenger's log events, ids 5801–5849 (docs/development.md keeps the registry). Like the engine's, they never
/// name a contact, a hidden-id or a message.
/// </summary>
internal static partial class MessengerLog
{
    [LoggerMessage(5801, LogLevel.Information, "Messenger started: store open, network bootstrapped in {Elapsed}", EventName = "MessengerStarted")]
    public static partial void Started(ILogger logger, TimeSpan elapsed);

    [LoggerMessage(5802, LogLevel.Debug, "Incoming connection: {Outcome}", EventName = "MessengerIncomingConnection")]
    public static partial void IncomingConnection(ILogger logger, IncomingConnectionOutcome outcome);

    [LoggerMessage(5803, LogLevel.Debug, "Incoming connection closed: no conversation stream within {Timeout}", EventName = "MessengerIncomingWithoutStream")]
    public static partial void IncomingWithoutStream(ILogger logger, TimeSpan timeout);

    [LoggerMessage(5804, LogLevel.Debug, "Incoming stream to port {Port} refused: not the conversation port", EventName = "MessengerIncomingWrongPort")]
    public static partial void IncomingWrongPort(ILogger logger, ushort port);

    [LoggerMessage(5805, LogLevel.Warning, "An event subscriber fell {Capacity} events behind and was dropped", EventName = "MessengerSubscriberDropped")]
    public static partial void SubscriberDropped(ILogger logger, int capacity);

    [LoggerMessage(5806, LogLevel.Warning, "Recording a contact request failed; it will be recorded at its next message", EventName = "MessengerRequestNotRecorded")]
    public static partial void RequestNotRecorded(ILogger logger, Exception exception);

    [LoggerMessage(5807, LogLevel.Information, "Messenger stopped", EventName = "MessengerStopped")]
    public static partial void Stopped(ILogger logger);
}
