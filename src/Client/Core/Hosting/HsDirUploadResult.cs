using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Client.Hosting;

/// <summary>How one descriptor upload to one HSDir ended.</summary>
public enum HsDirUploadOutcome
{
    /// <summary>The HSDir answered <see cref="DirectoryStatus.Ok"/>: it stores the descriptor.</summary>
    Stored = 1,

    /// <summary>The HSDir answered another status (<see cref="HsDirUploadResult.Status"/>): it refused the descriptor.</summary>
    Refused,

    /// <summary>No circuit to the HSDir could be had.</summary>
    NoCircuit,

    /// <summary>The circuit or the stream closed before the HSDir answered.</summary>
    StreamFailed,

    /// <summary>No answer within <see cref="HostingOptions.UploadTimeout"/>.</summary>
    TimedOut,
}

/// <summary>One HSDir's answer to one descriptor upload.</summary>
/// <param name="Period">The number of the time period the descriptor is for.</param>
/// <param name="HsDir">The HSDir.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Status">The HSDir's status, when it answered.</param>
public sealed record HsDirUploadResult(ulong Period, RelayId HsDir, HsDirUploadOutcome Outcome, DirectoryStatus? Status = null);
