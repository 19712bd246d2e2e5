namespace HiddenPoint.Client.Circuits;

/// <summary>Where a circuit build attempt stopped.</summary>
public enum CircuitBuildStep
{
    /// <summary>No build failed (or none was tried).</summary>
    None = 0,

    /// <summary>No usable consensus: bootstrap first (docs/client.md §1).</summary>
    Consensus,

    /// <summary>No path obeys the rules: no usable guard or vanguard, or no eligible relay (<see cref="Paths.PathFailure"/>).</summary>
    Path,

    /// <summary>No link to the guard could be opened.</summary>
    Link,

    /// <summary>The guard refused or failed the CREATE2 handshake.</summary>
    Create,

    /// <summary>An extension to a later hop failed.</summary>
    Extend,

    /// <summary>The attempt took longer than the build timeout and was abandoned.</summary>
    Timeout,
}
