using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// The conversation engine's log events, ids 5601–5799 (docs/development.md keeps the registry). A conversation and a
/// connection are named only by local sequence numbers, never by a contact, a hidden-id or a message, so logs cannot
/// say who talks to whom.
/// </summary>
internal static partial class MessagingLog
{
    [LoggerMessage(5601, LogLevel.Debug, "Conversation {Conversation}: connection {Connection} open ({Direction})", EventName = "ConversationConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, long conversation, long connection, string direction);

    [LoggerMessage(5602, LogLevel.Debug, "Conversation {Conversation}: connection {Connection} ended: {Reason}", EventName = "ConversationConnectionEnded")]
    public static partial void ConnectionEnded(ILogger logger, long conversation, long connection, ConnectionEndReason reason);

    [LoggerMessage(5603, LogLevel.Information, "Conversation {Conversation}: contact not reached ({Reason}), attempt {Attempt}; next in {Delay}", EventName = "ConversationWaitingForContact")]
    public static partial void WaitingForContact(ILogger logger, long conversation, WaitReason reason, int attempt, TimeSpan delay);

    [LoggerMessage(5604, LogLevel.Information, "Incoming connection refused: {Reason}", EventName = "ConversationHelloRefused")]
    public static partial void HelloRefused(ILogger logger, RefusalReason reason);

    [LoggerMessage(5605, LogLevel.Debug, "Connection {Connection}: malformed frame: {Kind} at {Offset}", EventName = "ConversationFrameMalformed")]
    public static partial void FrameMalformed(ILogger logger, long connection, DecodeErrorKind kind, int offset);

    [LoggerMessage(5606, LogLevel.Warning, "Conversation {Conversation} stopped after an internal fault", EventName = "ConversationFaulted")]
    public static partial void ConversationFaulted(ILogger logger, long conversation, Exception exception);

    [LoggerMessage(5607, LogLevel.Debug, "Conversation {Conversation}: rotating to a new connection", EventName = "ConversationRotating")]
    public static partial void Rotating(ILogger logger, long conversation);

    [LoggerMessage(5608, LogLevel.Information, "A contact request was admitted", EventName = "ConversationContactRequestAdmitted")]
    public static partial void ContactRequestAdmitted(ILogger logger);

    [LoggerMessage(5609, LogLevel.Information, "Conversation {Conversation}: the contact refused this side: {Reason}", EventName = "ConversationRefusedByContact")]
    public static partial void RefusedByContact(ILogger logger, long conversation, RefusalReason reason);

    [LoggerMessage(5610, LogLevel.Debug, "Conversation {Conversation}: connection {Connection} broke the protocol: {Violation}", EventName = "ConversationProtocolViolation")]
    public static partial void ProtocolViolation(ILogger logger, long conversation, long connection, string violation);

    [LoggerMessage(5611, LogLevel.Debug, "Incoming connection closed before its Hello was accepted: {Detail}", EventName = "ConversationHelloFailed")]
    public static partial void HelloFailed(ILogger logger, string detail);
}
