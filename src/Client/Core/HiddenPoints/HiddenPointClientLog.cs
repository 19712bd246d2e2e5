using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.HiddenPoints;

/// <summary>
/// The hidden-point half of the client's log events (docs/development.md: 5301–5399 hosting, 5401–5499 connecting,
/// 5501–5599 identity). Nothing here names a key, a hidden-id, a relay or a circuit, so that the log cannot tell who
/// talks to whom; failures carry their typed reason only.
/// </summary>
internal static partial class HiddenPointClientLog
{
    [LoggerMessage(5301, LogLevel.Debug, "Introduction point {Slot} established.", EventName = "IntroductionPointEstablished")]
    public static partial void IntroductionPointEstablished(ILogger logger, int slot);

    [LoggerMessage(5302, LogLevel.Debug, "Introduction point {Slot} failed or closed ({Reason}); it is replaced.", EventName = "IntroductionPointLost")]
    public static partial void IntroductionPointLost(ILogger logger, int slot, string reason);

    [LoggerMessage(5303, LogLevel.Information, "Descriptor for period {Period} uploaded: {Stored} of {Targets} HSDirs stored it.", EventName = "DescriptorUploaded")]
    public static partial void DescriptorUploaded(ILogger logger, ulong period, int stored, int targets);

    [LoggerMessage(5304, LogLevel.Warning, "Descriptor for period {Period} was stored by no HSDir ({Targets} tried); it is uploaded again at the next change or round.", EventName = "DescriptorNotStored")]
    public static partial void DescriptorNotStored(ILogger logger, ulong period, int targets);

    [LoggerMessage(5305, LogLevel.Debug, "INTRODUCE2 refused: {Reason}.", EventName = "IntroductionRefused")]
    public static partial void IntroductionRefused(ILogger logger, string reason);

    [LoggerMessage(5306, LogLevel.Debug, "INTRODUCE2 replayed; dropped.", EventName = "IntroductionReplayed")]
    public static partial void IntroductionReplayed(ILogger logger);

    [LoggerMessage(5307, LogLevel.Debug, "Rendezvous for an introduction failed: {Reason}.", EventName = "HostRendezvousFailed")]
    public static partial void HostRendezvousFailed(ILogger logger, string reason);

    [LoggerMessage(5308, LogLevel.Error, "The hidden point's background work failed; it goes on.", EventName = "HostingFault")]
    public static partial void HostingFault(ILogger logger, Exception exception);

    [LoggerMessage(5309, LogLevel.Debug, "No usable consensus to publish with ({Reason}); publishing waits.", EventName = "PublishWithoutConsensus")]
    public static partial void PublishWithoutConsensus(ILogger logger, string reason);

    [LoggerMessage(5310, LogLevel.Information, "Descriptor uploads that got no answer were tried again at {Retried} HSDirs: {Stored} stored it.", EventName = "MissedUploadsRetried")]
    public static partial void MissedUploadsRetried(ILogger logger, int retried, int stored);

    [LoggerMessage(5311, LogLevel.Debug, "A descriptor upload for period {Period} failed: {Outcome} (HSDir status {Status}).", EventName = "DescriptorUploadFailed")]
    public static partial void DescriptorUploadFailed(ILogger logger, ulong period, HiddenPoint.Client.Hosting.HsDirUploadOutcome outcome, string status);

    [LoggerMessage(5401, LogLevel.Debug, "Connect failed at {Step}: {Failure}.", EventName = "ConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string step, string failure);

    [LoggerMessage(5402, LogLevel.Debug, "Descriptor fetch attempt {Attempt} failed: {Reason}.", EventName = "DescriptorFetchAttemptFailed")]
    public static partial void DescriptorFetchAttemptFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(5403, LogLevel.Debug, "Introduction attempt {Attempt} failed: {Reason}.", EventName = "IntroductionAttemptFailed")]
    public static partial void IntroductionAttemptFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(5404, LogLevel.Debug, "Connected to a hidden point after {Milliseconds} ms.", EventName = "Connected")]
    public static partial void Connected(ILogger logger, long milliseconds);

    [LoggerMessage(5501, LogLevel.Information, "A new hidden-point identity was created and stored.", EventName = "IdentityCreated")]
    public static partial void IdentityCreated(ILogger logger);
}
