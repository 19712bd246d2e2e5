using HiddenPoint.Network.Directory;

namespace HiddenPoint.Client.Directory;

/// <summary>What the client found in its consensus cache at start.</summary>
public enum DirectoryCacheStatus
{
    /// <summary>Not looked at yet.</summary>
    NotChecked = 0,

    /// <summary>The cached consensus verified and is held: the client can build circuits at once.</summary>
    Loaded,

    /// <summary>No cache file (first run, or the data directory was emptied).</summary>
    None,

    /// <summary>The cached consensus is past valid-until plus the grace period: refused, a fresh one is fetched.</summary>
    Stale,

    /// <summary>The cached consensus is not valid yet: the local clock is behind. Refused; check the clock.</summary>
    NotYetValid,

    /// <summary>The file is not a consensus signed by a majority of the pinned authorities (truncated, altered,
    /// too large, or from other authorities): refused, a fresh one is fetched.</summary>
    Corrupt,

    /// <summary>The file could not be read (permissions, I/O error).</summary>
    Unreadable,
}

/// <summary>The typed status of the cache and the sentence the user sees.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Message">One sentence for the user, saying what happens next.</param>
/// <param name="Offer">The consensus checks' outcome, when the file was read.</param>
public sealed record DirectoryCacheLoad(DirectoryCacheStatus Status, string Message, ConsensusOfferResult Offer = default);

/// <summary>Where a consensus came from.</summary>
public enum ConsensusSourceKind
{
    /// <summary>The cache file in the data directory.</summary>
    DiskCache = 1,

    /// <summary>A guard acting as directory cache (DIRECTORY_REQUEST over a one-hop circuit).</summary>
    Guard,

    /// <summary>A directory authority over HTTP.</summary>
    Authority,
}
