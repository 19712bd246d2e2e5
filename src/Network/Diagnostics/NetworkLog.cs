using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Network.Diagnostics;

/// <summary>
/// The runtime's log events. Event ids are stable: 10xx links, 11xx circuits, 13xx the link manager (docs/development.md
/// keeps the registry). A link is named only by a local
/// sequence number and a circuit by its number on one link, never by an address or key, and no event names both a
/// circuit and a link peer, so logs cannot tie a circuit to anyone. Per-cell events are Trace and guarded.
/// </summary>
internal static partial class NetworkLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Link {Link} open as {Side} ({Kind})", EventName = "LinkOpened")]
    public static partial void LinkOpened(ILogger logger, long link, string side, LinkKind kind);

    [LoggerMessage(1002, LogLevel.Debug, "Link {Link} closed: {Reason}", EventName = "LinkClosed")]
    public static partial void LinkClosed(ILogger logger, long link, LinkCloseReason reason);

    [LoggerMessage(1003, LogLevel.Information, "Link handshake failed: {Reason}", EventName = "LinkHandshakeFailed")]
    public static partial void HandshakeFailed(ILogger logger, LinkCloseReason reason);

    [LoggerMessage(1004, LogLevel.Warning, "Link {Link} closed after an internal fault", EventName = "LinkInternalError")]
    public static partial void LinkInternalError(ILogger logger, long link, Exception exception);

    [LoggerMessage(1005, LogLevel.Debug, "Link {Link} refused a cell: {Detail}", EventName = "LinkProtocolViolation")]
    public static partial void LinkProtocolViolation(ILogger logger, long link, string detail);

    [LoggerMessage(1006, LogLevel.Debug, "Link {Link} throttled for {Delay}", EventName = "LinkThrottled")]
    public static partial void LinkThrottled(ILogger logger, long link, TimeSpan delay);

    // 13xx: the link manager (src/Network/Links/LinkManager.cs).
    [LoggerMessage(1301, LogLevel.Information, "Link launch failed: {Failure} (handshake: {Handshake})", EventName = "LinkLaunchFailed")]
    public static partial void LinkLaunchFailed(ILogger logger, LinkLaunchFailure failure, LinkCloseReason handshake);

    [LoggerMessage(1302, LogLevel.Debug, "Link launch refused: {Failure}", EventName = "LinkLaunchRefused")]
    public static partial void LinkLaunchRefused(ILogger logger, LinkLaunchFailure failure);

    [LoggerMessage(1303, LogLevel.Debug, "Link closed after {Idle} without circuits", EventName = "LinkIdleClosed")]
    public static partial void LinkIdleClosed(ILogger logger, TimeSpan idle);

    [LoggerMessage(1304, LogLevel.Warning, "Link launch abandoned after an internal fault", EventName = "LinkLaunchFault")]
    public static partial void LinkLaunchFault(ILogger logger, Exception exception);

    [LoggerMessage(1101, LogLevel.Debug, "Circuit closed: {Reason}", EventName = "CircuitClosed")]
    public static partial void CircuitClosed(ILogger logger, CircuitCloseReason reason);

    [LoggerMessage(1102, LogLevel.Warning, "Circuit closed after an internal fault", EventName = "CircuitInternalError")]
    public static partial void CircuitInternalError(ILogger logger, Exception exception);

    [LoggerMessage(1103, LogLevel.Debug, "Circuit handler failed", EventName = "CircuitHandlerError")]
    public static partial void CircuitHandlerError(ILogger logger, Exception exception);
}
