using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Diagnostics;

/// <summary>
/// The client core's log events. Event ids are stable: 50xx the directory (bootstrap, cache, refresh), 51xx guards and
/// vanguards, 52xx circuit building (docs/development.md keeps the registry). Relays are public, but which relays a
/// client uses as guards and vanguards is what an adversary hunts for: no event at Information or above names one, and
/// the Debug events name relays only by nickname. No event names a hidden point or what a circuit is for beyond its
/// purpose.
/// </summary>
internal static partial class ClientLog
{
    [LoggerMessage(5001, LogLevel.Information, "Consensus cache loaded; valid until {ValidUntil}", EventName = "ConsensusCacheLoaded")]
    public static partial void CacheLoaded(ILogger logger, DateTimeOffset validUntil);

    [LoggerMessage(5002, LogLevel.Warning, "Consensus cache refused ({Status}): {Detail}; fetching a fresh consensus", EventName = "ConsensusCacheRefused")]
    public static partial void CacheRefused(ILogger logger, DirectoryCacheStatus status, string detail);

    [LoggerMessage(5003, LogLevel.Information, "Consensus taken from {Source}; valid until {ValidUntil}", EventName = "ConsensusTaken")]
    public static partial void ConsensusTaken(ILogger logger, ConsensusSourceKind source, DateTimeOffset validUntil);

    [LoggerMessage(5004, LogLevel.Debug, "Consensus fetch from {Source} failed: {Detail}", EventName = "ConsensusFetchFailed")]
    public static partial void FetchFailed(ILogger logger, ConsensusSourceKind source, string detail);

    [LoggerMessage(5005, LogLevel.Warning, "No consensus could be fetched from the guard or any authority; retrying in {Delay}", EventName = "ConsensusFetchRoundFailed")]
    public static partial void RoundFailed(ILogger logger, TimeSpan delay);

    [LoggerMessage(5006, LogLevel.Debug, "Next consensus refresh in {Delay}", EventName = "ConsensusNextRefresh")]
    public static partial void NextRefresh(ILogger logger, TimeSpan delay);

    [LoggerMessage(5007, LogLevel.Debug, "The directory cache holds nothing newer", EventName = "ConsensusNotModified")]
    public static partial void NotModified(ILogger logger);

    [LoggerMessage(5008, LogLevel.Warning, "Consensus directory task failed", EventName = "DirectoryFault")]
    public static partial void DirectoryFault(ILogger logger, Exception exception);

    [LoggerMessage(5101, LogLevel.Warning, "Guard state file refused ({Status}): {Detail}; kept aside as {AsidePath}, starting a fresh guard sample", EventName = "GuardStateRefused")]
    public static partial void GuardStateRefused(ILogger logger, GuardStateLoadStatus status, string detail, string asidePath);

    [LoggerMessage(5102, LogLevel.Warning, "Guard state could not be saved", EventName = "GuardStateSaveFailed")]
    public static partial void GuardStateSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(5103, LogLevel.Debug, "Guard {Nickname} added to the sample ({Count} sampled)", EventName = "GuardSampled")]
    public static partial void GuardSampled(ILogger logger, string nickname, int count);

    [LoggerMessage(5104, LogLevel.Debug, "Guard removed from the sample: {Reason}", EventName = "GuardRemoved")]
    public static partial void GuardRemoved(ILogger logger, GuardRemoval reason);

    [LoggerMessage(5105, LogLevel.Debug, "Guard {Nickname} failed ({Failures} in a row); retry in {Delay}", EventName = "GuardFailed")]
    public static partial void GuardFailed(ILogger logger, string nickname, int failures, TimeSpan delay);

    [LoggerMessage(5106, LogLevel.Debug, "Guard {Nickname} confirmed", EventName = "GuardConfirmed")]
    public static partial void GuardConfirmed(ILogger logger, string nickname);

    [LoggerMessage(5107, LogLevel.Debug, "Vanguard {Nickname} added, for {Lifetime}", EventName = "VanguardAdded")]
    public static partial void VanguardAdded(ILogger logger, string nickname, TimeSpan lifetime);

    [LoggerMessage(5108, LogLevel.Debug, "Vanguard removed: {Reason}", EventName = "VanguardRemoved")]
    public static partial void VanguardRemoved(ILogger logger, GuardRemoval reason);

    [LoggerMessage(5109, LogLevel.Warning, "No usable guard: every sampled guard is waiting to be retried or unlisted", EventName = "NoUsableGuard")]
    public static partial void NoUsableGuard(ILogger logger);

    [LoggerMessage(5110, LogLevel.Information, "Guard {Nickname} completed {Rate:P0} of the last {Circuits:0} circuits that got past it (below {Threshold:P0}); circuits through it fail more often than through most guards", EventName = "PathBiasNotice")]
    public static partial void PathBiasNotice(ILogger logger, string nickname, double rate, double circuits, double threshold);

    [LoggerMessage(5111, LogLevel.Warning, "Guard {Nickname} completed only {Rate:P0} of the last {Circuits:0} circuits that got past it (below {Threshold:P0}): it, or the network near it, may be failing circuits on purpose", EventName = "PathBiasWarning")]
    public static partial void PathBiasWarning(ILogger logger, string nickname, double rate, double circuits, double threshold);

    [LoggerMessage(5112, LogLevel.Error, "Guard {Nickname} completed only {Rate:P0} of the last {Circuits:0} circuits that got past it (below {Threshold:P0}): a route-manipulation attack, an overloaded network, or a bug; the guard is kept (changing guards on a guard's say-so is what such an attack wants)", EventName = "PathBiasExtreme")]
    public static partial void PathBiasExtreme(ILogger logger, string nickname, double rate, double circuits, double threshold);

    [LoggerMessage(5201, LogLevel.Debug, "{Purpose} circuit built in {Milliseconds:0.0} ms over {Hops} hops", EventName = "CircuitBuilt")]
    public static partial void CircuitBuilt(ILogger logger, CircuitPurpose purpose, double milliseconds, int hops);

    [LoggerMessage(5202, LogLevel.Debug, "{Purpose} circuit attempt {Attempt} failed at {Step}: {Detail}", EventName = "CircuitAttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, CircuitPurpose purpose, int attempt, CircuitBuildStep step, string detail);

    [LoggerMessage(5203, LogLevel.Information, "No {Purpose} circuit after {Attempts} attempts: {Detail}", EventName = "CircuitBuildFailed")]
    public static partial void BuildFailed(ILogger logger, CircuitPurpose purpose, int attempts, string detail);

    [LoggerMessage(5204, LogLevel.Debug, "Circuit build timeout now {Timeout} ({Samples} samples)", EventName = "BuildTimeoutLearned")]
    public static partial void TimeoutLearned(ILogger logger, TimeSpan timeout, int samples);

    [LoggerMessage(5205, LogLevel.Warning, "Circuit pool refill failed", EventName = "CircuitPoolFault")]
    public static partial void PoolFault(ILogger logger, Exception exception);

    [LoggerMessage(5206, LogLevel.Debug, "No path for a {Purpose} circuit: {Failure}", EventName = "NoPath")]
    public static partial void NoPath(ILogger logger, CircuitPurpose purpose, PathFailure failure);
}
