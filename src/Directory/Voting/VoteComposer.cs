using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Voting;

/// <summary>The times of one voting period.</summary>
/// <param name="ValidAfter">Start of the period.</param>
/// <param name="FreshUntil">When the next consensus is expected (one interval later).</param>
/// <param name="ValidUntil">End of the period (three intervals after the start, so a missed round is survived).</param>
public readonly record struct VotingPeriod(DateTimeOffset ValidAfter, DateTimeOffset FreshUntil, DateTimeOffset ValidUntil)
{
    /// <summary>How many intervals a consensus stays valid.</summary>
    public const int ValidIntervals = 3;

    /// <summary>The period that starts at the first interval boundary (counted from the Unix epoch) after <paramref name="now"/>.</summary>
    public static VotingPeriod Next(DateTimeOffset now, TimeSpan interval)
    {
        var seconds = (long)interval.TotalSeconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1, nameof(interval));
        var start = ((now.ToUnixTimeSeconds() / seconds) + 1) * seconds;
        var validAfter = DateTimeOffset.FromUnixTimeSeconds(start);
        return new(validAfter, validAfter.AddSeconds(seconds), validAfter.AddSeconds(seconds * ValidIntervals));
    }
}

/// <summary>Writes this authority's vote from its descriptor store.</summary>
public static class VoteComposer
{
    /// <summary>
    /// Builds and signs a vote for <paramref name="period"/> listing the store's listable relays at
    /// <paramref name="now"/>, with flags and weights by <paramref name="thresholds"/> (the advertised bandwidth in
    /// kilobytes per second, at least 1, capped; <see cref="FlagThresholds.WeightFor"/>). The vote's parameters are
    /// <paramref name="parameters"/> plus the thresholds. When <paramref name="reachable"/> is given, only the relays in it can be Running (the others are still listed);
    /// when null, Running depends on the descriptor's age alone.
    /// </summary>
    public static byte[] Compose(
        DescriptorStore store,
        AuthorityIdentityKey key,
        AuthorityEntry self,
        VotingPeriod period,
        FlagThresholds thresholds,
        IEnumerable<KeyValuePair<string, int>> parameters,
        DateTimeOffset now,
        IReadOnlySet<RelayId>? reachable = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(parameters);
        var relays = store.Listable(now).Select(stored =>
        {
            var d = stored.Descriptor;
            var flags = thresholds.FlagsFor(d, stored.FirstSeen, now);
            if (reachable is not null && !reachable.Contains(d.Identity))
            {
                flags &= ~RelayFlags.Running;
            }

            // The entry names the descriptor it was copied from, family included: the consensus lists an entry only
            // when a majority of the authorities copied it from the same document the relay signed.
            return new RelayStatus(
                d.Identity, d.Nickname, d.Addresses, d.LinkKey, d.CircuitHandshakeKey,
                flags, thresholds.WeightFor(d, stored.FirstSeen, now), stored.Digest, d.Family);
        }).ToArray();
        var allParameters = new NetworkParameters(
            parameters.Where(p => !p.Key.StartsWith("Flag", StringComparison.Ordinal)).Concat(thresholds.ToParameters()));
        var (previousSharedRandom, currentSharedRandom) = SharedRandomValues.At(period.ValidAfter, allParameters);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = period.ValidAfter,
            FreshUntil = period.FreshUntil,
            ValidUntil = period.ValidUntil,
            Parameters = allParameters,
            SharedRandomPreviousValue = previousSharedRandom,
            SharedRandomCurrentValue = currentSharedRandom,
            Authorities = [self],
            Relays = relays,
        };
        return builder.BuildVote(key);
    }
}
