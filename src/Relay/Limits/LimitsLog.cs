using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Limits;

/// <summary>Log events of the relay's limits (event ids 7xxx). No event carries an address or a circuit.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "An address broke a limit ({Reason}) and is refused for {Period}")]
    public static partial void AddressMarked(ILogger logger, AdmissionRefusal reason, TimeSpan period);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Memory limit reached: {Used} bytes in use of {Limit}; trimming caches and closing the circuits and links with the oldest queued data")]
    public static partial void MemoryLimitReached(ILogger logger, long used, long limit);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Memory limit handled: {CacheBytes} cache bytes trimmed, {Circuits} circuits and {Links} links closed ({CellBytes} queued bytes freed)")]
    public static partial void MemoryLimitHandled(ILogger logger, long cacheBytes, int circuits, int links, long cellBytes);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "A cache trimmer failed")]
    public static partial void CacheTrimmerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Bug: the memory limit check failed")]
    public static partial void MemoryCheckFailed(ILogger logger, Exception exception);
}
