using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// Picks one relay with probability proportional to its consensus bandwidth weight, among the relays that are Running
/// and Valid, carry the required flags, pass an optional filter, and conflict with no relay already on the path
/// (<see cref="PathRules"/>). When every eligible relay weighs zero, each is equally likely.
/// </summary>
/// <remarks>
/// Two passes over the list and no allocation: the first sums the eligible weights, the second walks to the drawn
/// point. Tor additionally scales weights by position (the Wgg/Wmd… bandwidth-weights); the consensus carries none yet.
/// </remarks>
public sealed class WeightedRelayPicker
{
    private readonly PathRules _rules;
    private readonly Random _random;

    /// <summary>A picker under <paramref name="rules"/>, drawing from <paramref name="random"/>
    /// (<see cref="SecureRandom.Instance"/> when null).</summary>
    public WeightedRelayPicker(PathRules rules, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
        _random = random ?? SecureRandom.Instance;
    }

    /// <summary>The rules every pick obeys.</summary>
    public PathRules Rules => _rules;

    /// <summary>The random source (shared with the guard and vanguard samplers).</summary>
    public Random Random => _random;

    /// <summary>One eligible relay of <paramref name="relays"/>, or null when none is eligible.</summary>
    /// <param name="relays">The candidates (a consensus' relays).</param>
    /// <param name="required">Flags the relay must carry besides Running and Valid.</param>
    /// <param name="path">Relays already chosen: the pick conflicts with none of them.</param>
    /// <param name="filter">A further test a candidate must pass; none when null.</param>
    public RelayStatus? Pick(IReadOnlyList<RelayStatus> relays, RelayFlags required, IReadOnlyList<RelayStatus> path, Func<RelayStatus, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(relays);
        ArgumentNullException.ThrowIfNull(path);
        long total = 0;
        var eligible = 0;
        for (var i = 0; i < relays.Count; i++)
        {
            if (IsEligible(relays[i], required, path, filter))
            {
                total += relays[i].BandwidthWeight;
                eligible++;
            }
        }

        if (eligible == 0)
        {
            return null;
        }

        var uniform = total == 0;
        var point = uniform ? _random.NextInt64(eligible) : _random.NextInt64(total);
        for (var i = 0; i < relays.Count; i++)
        {
            var relay = relays[i];
            if (!IsEligible(relay, required, path, filter))
            {
                continue;
            }

            point -= uniform ? 1 : relay.BandwidthWeight;
            if (point < 0)
            {
                return relay;
            }
        }

        // Unreachable while the list does not change between the passes; the caller's list is a consensus (immutable).
        return null;
    }

    /// <summary>True when <paramref name="relay"/> could be picked for a position needing <paramref name="required"/>.</summary>
    public bool IsEligible(RelayStatus relay, RelayFlags required, IReadOnlyList<RelayStatus> path, Func<RelayStatus, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return PathRules.IsUsable(relay)
            && (relay.Flags & required) == required
            && (filter is null || filter(relay))
            && _rules.Check(relay, path) == PathConflict.None;
    }
}
