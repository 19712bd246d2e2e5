using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay;

/// <summary>
/// The relay host's log lines (event ids 1–99): start, shutdown, descriptor uploads, consensus downloads. Authorities
/// are named by the nickname the operator gave them; no key, client address or circuit appears.
/// </summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Relay {Id} listening on {Listen}, reachable at {Advertised}.")]
    public static partial void Started(ILogger logger, HiddenPoint.Crypto.Keys.RelayId id, System.Net.IPEndPoint listen, HiddenPoint.Protocol.Documents.RelayAddress advertised);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Listening on {Listen}; the descriptor lists {Advertised}.")]
    public static partial void Listening(ILogger logger, System.Net.IPEndPoint listen, HiddenPoint.Protocol.Documents.RelayAddress advertised);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Shutting down: no new links or circuits; waiting up to {Wait} for {Open} open circuits.")]
    public static partial void Draining(ILogger logger, int open, TimeSpan wait);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Stopped; {Remaining} circuits were still open and have been destroyed.")]
    public static partial void Stopped(ILogger logger, int remaining);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "A second stop signal: exiting now without waiting for circuits.")]
    public static partial void ExitingNow(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Uploading the descriptor to {Count} authorities.")]
    public static partial void Publishing(ILogger logger, int count);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Authority {Authority} accepted the descriptor.")]
    public static partial void DescriptorAccepted(ILogger logger, string authority);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Authority {Authority} already holds this descriptor or a newer one.")]
    public static partial void DescriptorAlreadyHeld(ILogger logger, string authority);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Authority {Authority} refused the descriptor: {Reason} ({Meaning}).")]
    public static partial void DescriptorRefused(ILogger logger, string authority, string reason, string meaning);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Could not upload the descriptor to authority {Authority} (attempt {Attempt}): {Problem}. Retrying.")]
    public static partial void UploadFailed(ILogger logger, string authority, string problem, int attempt);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Took a newer consensus from authority {Authority}.")]
    public static partial void ConsensusTaken(ILogger logger, string authority);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Authority {Authority} has no newer consensus.")]
    public static partial void ConsensusNotNewer(ILogger logger, string authority);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Refused the consensus from authority {Authority}: {Problem}.")]
    public static partial void ConsensusRefused(ILogger logger, string authority, string problem);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Could not download the consensus from authority {Authority}: {Problem}.")]
    public static partial void FetchFailed(ILogger logger, string authority, string problem);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Authority {Authority} has not published a consensus yet.")]
    public static partial void NoConsensusYet(ILogger logger, string authority);

    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "Next consensus download in {Delay}.")]
    public static partial void NextFetch(ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Loaded the cached consensus.")]
    public static partial void CacheLoaded(ILogger logger);
}
