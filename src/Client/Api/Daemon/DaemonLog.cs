using HiddenPoint.Client.Messaging.Service;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Api;

/// <summary>
/// The daemon's and the local API's log events (ids 5850–5899, docs/development.md). They name paths, counts, user
/// ids of refused local processes and limits; never a hidden-id, a contact name or a message.
/// </summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 5850, Level = LogLevel.Information, Message = "hpc-client daemon starting on {DataDirectory}")]
    public static partial void Starting(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 5851, Level = LogLevel.Information, Message = "Startup: {Step}")]
    public static partial void StartupStep(ILogger logger, MessengerStartupStep step);

    [LoggerMessage(EventId = 5852, Level = LogLevel.Information, Message = "Local API listening on {SocketPath}")]
    public static partial void Listening(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 5853, Level = LogLevel.Information, Message = "Replaced the socket file a previous daemon left at {SocketPath}")]
    public static partial void StaleSocketReplaced(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 5854, Level = LogLevel.Warning, Message = "Refused a local API connection from user {UserId} (only user {OwnUserId} may connect)")]
    public static partial void PeerRefused(ILogger logger, uint userId, uint ownUserId);

    [LoggerMessage(EventId = 5855, Level = LogLevel.Warning, Message = "Refused a local API connection: the kernel did not give the peer's credentials")]
    public static partial void PeerUnknown(ILogger logger);

    [LoggerMessage(EventId = 5856, Level = LogLevel.Warning, Message = "Refused a local API connection: {MaxConnections} connections are served already")]
    public static partial void TooManyConnections(ILogger logger, int maxConnections);

    [LoggerMessage(EventId = 5857, Level = LogLevel.Warning, Message = "Dropped a local API connection: a request was longer than {MaxRequestBytes} bytes")]
    public static partial void RequestTooLarge(ILogger logger, int maxRequestBytes);

    [LoggerMessage(EventId = 5858, Level = LogLevel.Warning, Message = "Dropped a local API connection: it left events unread ({Why})")]
    public static partial void EventReaderDropped(ILogger logger, string why);

    [LoggerMessage(EventId = 5859, Level = LogLevel.Debug, Message = "A local API connection ended")]
    public static partial void ConnectionEnded(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 5860, Level = LogLevel.Error, Message = "A local API request failed unexpectedly")]
    public static partial void RequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5861, Level = LogLevel.Information, Message = "Stopping: the local API is closed; pending messages stay queued")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 5862, Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 5863, Level = LogLevel.Error, Message = "The local API stopped accepting connections")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
