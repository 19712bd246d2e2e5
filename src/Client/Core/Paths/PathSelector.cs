using HiddenPoint.Client.Circuits;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>What one hop of a path is.</summary>
public enum HopRole
{
    /// <summary>The first hop: an entry guard (flag Guard) from the guard set.</summary>
    Guard = 1,

    /// <summary>The second hop of a hidden-point circuit: one of the persisted layer-2 vanguards (Stable, Fast).</summary>
    Vanguard,

    /// <summary>A hop chosen afresh for this circuit (Fast).</summary>
    Middle,

    /// <summary>A last hop this side chooses freely (Fast; Stable too for an introduction point).</summary>
    Last,

    /// <summary>A last hop named by the caller: an HSDir, an introduction or rendezvous point.</summary>
    Target,
}

/// <summary>Why no path could be chosen.</summary>
public enum PathFailure
{
    /// <summary>A path was chosen.</summary>
    None = 0,

    /// <summary>No guard is usable now (all are waiting to be retried, or conflict with the target).</summary>
    NoGuard,

    /// <summary>No layer-2 vanguard is usable (none listed, or all conflict with the guard or the target).</summary>
    NoVanguard,

    /// <summary>No relay is eligible for a middle or last hop under the path rules.</summary>
    NoRelay,

    /// <summary>The target is not listed Running and Valid.</summary>
    TargetNotUsable,
}

/// <summary>
/// Chooses the relays of a circuit for a purpose (docs/client.md §2). The shapes are:
/// <list type="bullet">
/// <item>Directory: guard (one hop, the guard acting as directory cache).</item>
/// <item>General: guard · middle · last (3 hops); with a target, guard · middle · target.</item>
/// <item>ClientRendezvous, HostIntroduction (this side chooses the point): guard · vanguard · last (3 hops), or with a
/// target guard · vanguard · target.</item>
/// <item>HsDir, ClientIntroduction, HostRendezvous (someone else chooses the point, which may be hostile): guard ·
/// vanguard · middle · target (4 hops), so that the target is never next to the vanguard it could learn and attack.</item>
/// </list>
/// Guard and vanguard are chosen so that they do not conflict with the target (another primary guard, another
/// vanguard); every fresh hop conflicts with no other hop. Rules: <see cref="PathRules"/>.
/// </summary>
public sealed class PathSelector
{
    private readonly WeightedRelayPicker _picker;
    private readonly IEntryGuards _guards;

    /// <summary>
    /// A selector drawing fresh hops with <paramref name="picker"/> and entries from <paramref name="guards"/>, passing
    /// over the relays in <paramref name="unreachable"/> for vanguards, middle and last hops while others remain.
    /// </summary>
    public PathSelector(WeightedRelayPicker picker, IEntryGuards guards, RecentlyUnreachableRelays? unreachable = null)
    {
        ArgumentNullException.ThrowIfNull(picker);
        ArgumentNullException.ThrowIfNull(guards);
        _picker = picker;
        _guards = guards;
        Unreachable = unreachable;
    }

    /// <summary>The relays recently found unreachable, passed over while others remain; null when none are kept.</summary>
    public RecentlyUnreachableRelays? Unreachable { get; }

    /// <summary>The path rules.</summary>
    public PathRules Rules => _picker.Rules;

    /// <summary>The hop roles of a circuit for <paramref name="purpose"/>, guard first.</summary>
    /// <exception cref="ArgumentException">A directory circuit with a target: it always goes to a guard.</exception>
    public static IReadOnlyList<HopRole> ShapeOf(CircuitPurpose purpose, bool hasTarget) => purpose switch
    {
        CircuitPurpose.Directory when hasTarget => throw new ArgumentException("A directory circuit goes to a guard; it takes no target.", nameof(hasTarget)),
        CircuitPurpose.Directory => [HopRole.Guard],
        CircuitPurpose.General => hasTarget ? [HopRole.Guard, HopRole.Middle, HopRole.Target] : [HopRole.Guard, HopRole.Middle, HopRole.Last],
        CircuitPurpose.ClientRendezvous or CircuitPurpose.HostIntroduction =>
            hasTarget ? [HopRole.Guard, HopRole.Vanguard, HopRole.Target] : [HopRole.Guard, HopRole.Vanguard, HopRole.Last],
        CircuitPurpose.HsDir or CircuitPurpose.ClientIntroduction or CircuitPurpose.HostRendezvous =>
            hasTarget ? [HopRole.Guard, HopRole.Vanguard, HopRole.Middle, HopRole.Target] : [HopRole.Guard, HopRole.Vanguard, HopRole.Middle, HopRole.Last],
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown circuit purpose."),
    };

    /// <summary>The flags a freely chosen last hop needs for <paramref name="purpose"/>.</summary>
    public static RelayFlags LastHopFlags(CircuitPurpose purpose) =>
        purpose == CircuitPurpose.HostIntroduction ? RelayFlags.Fast | RelayFlags.Stable : RelayFlags.Fast;

    /// <summary>Chooses a path for <paramref name="purpose"/> from <paramref name="consensus"/>.</summary>
    /// <param name="consensus">The relays to choose from.</param>
    /// <param name="purpose">What the circuit is for.</param>
    /// <param name="target">The last hop the caller names, or null to let the selector choose it.</param>
    /// <param name="path">The relays, guard first, when the result is <see cref="PathFailure.None"/>.</param>
    public PathFailure TrySelect(Consensus consensus, CircuitPurpose purpose, RelayStatus? target, out RelayStatus[] path)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        path = [];
        var shape = ShapeOf(purpose, target is not null);
        if (target is not null && !PathRules.IsUsable(target))
        {
            return PathFailure.TargetNotUsable;
        }

        var chosen = new RelayStatus[shape.Count];
        var fixedHops = new List<RelayStatus>(shape.Count);
        if (target is not null)
        {
            fixedHops.Add(target);
        }

        var guard = _guards.ChooseGuard(consensus, r => Rules.Check(r, fixedHops) == PathConflict.None);
        if (guard is null)
        {
            return PathFailure.NoGuard;
        }

        chosen[0] = guard;
        fixedHops.Add(guard);
        for (var i = 1; i < shape.Count; i++)
        {
            var role = shape[i];
            var hop = Choose(role, Reachable) ?? Choose(role, null);
            if (hop is null)
            {
                return shape[i] == HopRole.Vanguard ? PathFailure.NoVanguard : PathFailure.NoRelay;
            }

            chosen[i] = hop;
            if (shape[i] != HopRole.Target)
            {
                fixedHops.Add(hop);
            }
        }

        path = chosen;
        return PathFailure.None;

        // A relay found unreachable a moment ago is drawn only when no other fits (Choose without the filter).
        bool Reachable(RelayStatus relay) => Unreachable is null || !Unreachable.IsAvoided(relay.Id);

        RelayStatus? Choose(HopRole role, Func<RelayStatus, bool>? filter) => role switch
        {
            HopRole.Vanguard => _guards.ChooseVanguard(consensus, r => Rules.Check(r, fixedHops) == PathConflict.None && (filter is null || filter(r))),
            HopRole.Middle => _picker.Pick(consensus.Relays, RelayFlags.Fast, fixedHops, filter),
            HopRole.Last => _picker.Pick(consensus.Relays, LastHopFlags(purpose), fixedHops, filter),
            _ => target,
        };
    }
}
