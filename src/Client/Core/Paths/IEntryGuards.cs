using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// Where a path's first hop and its layer-2 hop come from: the persisted guard and vanguard sets
/// (<see cref="Guards.GuardManager"/>), never a fresh random draw per circuit.
/// </summary>
public interface IEntryGuards
{
    /// <summary>The guard to use next among those <paramref name="acceptable"/> allows (guard-spec order: primary
    /// guards first), or null when none is usable now.</summary>
    RelayStatus? ChooseGuard(Consensus consensus, Func<RelayStatus, bool> acceptable);

    /// <summary>One of the layer-2 vanguards that <paramref name="acceptable"/> allows, uniformly, or null when none.</summary>
    RelayStatus? ChooseVanguard(Consensus consensus, Func<RelayStatus, bool> acceptable);
}
