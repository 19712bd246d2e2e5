using Microsoft.Extensions.Logging;

namespace HiddenPoint.Network.Directory;

/// <summary>
/// The consensus holder's log events. Event ids are stable: 12xx (docs/development.md keeps the registry). A consensus is public, so its times and counts may
/// be logged at any level.
/// </summary>
internal static partial class ConsensusLog
{
    [LoggerMessage(1201, LogLevel.Information, "Took the consensus valid {ValidAfter} to {ValidUntil}: {Signatures} signatures, {Relays} relays", EventName = "ConsensusTaken")]
    public static partial void Accepted(ILogger logger, DateTimeOffset validAfter, DateTimeOffset validUntil, int signatures, int relays);

    [LoggerMessage(1202, LogLevel.Debug, "Refused an offered consensus ({Refusal}): {Detail}", EventName = "ConsensusRefused")]
    public static partial void Refused(ILogger logger, ConsensusRefusal refusal, string detail);

    [LoggerMessage(1203, LogLevel.Warning, "The consensus valid from {ValidAfter} is past its valid-until {ValidUntil}; using it, stale, until {GraceEnd} while no newer one arrives", EventName = "ConsensusStale")]
    public static partial void Stale(ILogger logger, DateTimeOffset validAfter, DateTimeOffset validUntil, DateTimeOffset graceEnd);

    [LoggerMessage(1204, LogLevel.Error, "No usable consensus: the one valid from {ValidAfter} expired at {GraceEnd} (valid-until + grace)", EventName = "ConsensusExpired")]
    public static partial void Expired(ILogger logger, DateTimeOffset validAfter, DateTimeOffset graceEnd);

    [LoggerMessage(1205, LogLevel.Warning, "Ignored the cached consensus ({Status}): {Detail}", EventName = "ConsensusCacheIgnored")]
    public static partial void CacheIgnored(ILogger logger, ConsensusCacheStatus status, string detail);

    [LoggerMessage(1206, LogLevel.Warning, "Could not write the consensus cache", EventName = "ConsensusCacheWriteFailed")]
    public static partial void CacheWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(1207, LogLevel.Warning, "A consensus signed by a majority of the authorities is not valid yet: the local clock is behind by at least {Hours} h; check the system clock (NTP)", EventName = "ConsensusClockBehind")]
    public static partial void ClockBehind(ILogger logger, double hours);

    [LoggerMessage(1208, LogLevel.Warning, "A consensus signed by a majority of the authorities ended {Hours} h before the local time (past its grace period): either it is old or the local clock is ahead; check the system clock (NTP)", EventName = "ConsensusClockAheadOrOld")]
    public static partial void ClockAheadOrConsensusOld(ILogger logger, double hours);
}
