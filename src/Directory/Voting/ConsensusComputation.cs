using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Voting;

/// <summary>Why a set of votes gave no consensus.</summary>
public enum ConsensusFailure
{
    /// <summary>A consensus was computed.</summary>
    None = 0,

    /// <summary>No vote for the period.</summary>
    NoVotes,

    /// <summary>Not more than half of the configured authorities voted for the period.</summary>
    TooFewVotes,
}

/// <summary>The outcome of <see cref="ConsensusComputation.Compute"/>: a body to sign, or why there is none.</summary>
/// <param name="Failure">Why there is no body, or <see cref="ConsensusFailure.None"/>.</param>
/// <param name="Body">The consensus body (every byte before the first signature line), when computed.</param>
/// <param name="VotesCounted">How many votes went into it.</param>
public sealed record ConsensusResult(ConsensusFailure Failure, byte[]? Body, int VotesCounted);

/// <summary>
/// Computes the consensus body from verified votes. A pure function of the set of votes, the authority count and
/// the period: every authority holding the same votes writes the same bytes, whatever order they arrived in,
/// because each rule below depends only on the multiset of values and ties are broken by byte order.
/// </summary>
/// <remarks>
/// Rules: only votes for <c>validAfter</c>, one per voter, count. A relay is listed only when more than half of the
/// configured authorities (and so of the counted votes) voted the identical entry for it: the same descriptor digest,
/// nickname, addresses, keys and family; otherwise it is left out. An honest authority copies an entry only from a
/// descriptor whose signature it verified, so a listed entry always comes from a document the relay signed unless a
/// majority of the authorities lie (who could sign any consensus anyway). Each flag is set when more than half of
/// the votes listing the relay set it; its weight is the low median of their weights. A parameter is included when
/// more than half of the votes set it, at the low median of their values, clamped to a known parameter's range. The
/// shared random values are <see cref="SharedRandomValues.At"/> of the period and the consensus's own
/// <c>HsDirInterval</c>; the votes' values are not read.
/// </remarks>
public static class ConsensusComputation
{
    /// <summary>Computes the consensus body.</summary>
    /// <param name="votes">Votes whose signatures were checked against the pinned authorities.</param>
    /// <param name="authorityCount">How many authorities are configured (more than half must have voted).</param>
    /// <param name="validAfter">The period; votes for other periods are ignored. The consensus takes fresh-until and
    /// valid-until as the low medians of the counted votes'.</param>
    public static ConsensusResult Compute(IEnumerable<Vote> votes, int authorityCount, DateTimeOffset validAfter)
    {
        ArgumentNullException.ThrowIfNull(votes);
        ArgumentOutOfRangeException.ThrowIfLessThan(authorityCount, 1);

        // One vote per voter: if a voter's two different votes are both present, the smaller document wins, so the
        // choice does not depend on arrival order.
        var byVoter = new SortedDictionary<byte[], Vote>(ByteOrder.Instance);
        foreach (var vote in votes)
        {
            ArgumentNullException.ThrowIfNull(vote);
            if (vote.ValidAfter != validAfter)
            {
                continue;
            }

            var key = vote.Voter.Id.Key.Bytes.ToArray();
            if (!byVoter.TryGetValue(key, out var held) || ByteOrder.Instance.Compare(vote.Document.ToArray(), held.Document.ToArray()) < 0)
            {
                byVoter[key] = vote;
            }
        }

        var counted = byVoter.Values.ToArray();
        if (counted.Length == 0)
        {
            return new(ConsensusFailure.NoVotes, null, 0);
        }

        if (counted.Length <= authorityCount / 2)
        {
            return new(ConsensusFailure.TooFewVotes, null, counted.Length);
        }

        var parameters = Parameters(counted);
        var (previousSharedRandom, currentSharedRandom) = SharedRandomValues.At(validAfter, parameters);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = LowMedian(counted.Select(v => v.FreshUntil)),
            ValidUntil = LowMedian(counted.Select(v => v.ValidUntil)),
            Parameters = parameters,
            SharedRandomPreviousValue = previousSharedRandom,
            SharedRandomCurrentValue = currentSharedRandom,
            Authorities = counted.Select(v => v.Voter).ToArray(),
            Relays = Relays(counted, authorityCount),
        };
        return new(ConsensusFailure.None, builder.BuildBody(NetworkStatusKind.Consensus), counted.Length);
    }

    private static bool IsMajority(int count, int of) => count > of / 2;

    private static T LowMedian<T>(IEnumerable<T> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[(sorted.Length - 1) / 2];
    }

    private static NetworkParameters Parameters(Vote[] votes)
    {
        var values = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var vote in votes)
        {
            foreach (var (name, value) in vote.Parameters.All)
            {
                if (!values.TryGetValue(name, out var list))
                {
                    values[name] = list = [];
                }

                list.Add(value);
            }
        }

        var pairs = new List<KeyValuePair<string, int>>();
        foreach (var (name, list) in values)
        {
            if (pairs.Count == NetworkParameters.MaxCount)
            {
                break;
            }

            if (!IsMajority(list.Count, votes.Length))
            {
                continue;
            }

            var median = LowMedian(list);
            if (NetworkParameter.Find(name) is { } known)
            {
                median = Math.Clamp(median, known.Minimum, known.Maximum);
            }

            pairs.Add(new(name, median));
        }

        return new NetworkParameters(pairs);
    }

    private static RelayStatus[] Relays(Vote[] votes, int authorityCount)
    {
        var entries = new SortedDictionary<byte[], List<RelayStatus>>(ByteOrder.Instance);
        foreach (var vote in votes)
        {
            foreach (var relay in vote.Relays)
            {
                var key = relay.Id.Key.Bytes.ToArray();
                if (!entries.TryGetValue(key, out var list))
                {
                    entries[key] = list = [];
                }

                list.Add(relay);
            }
        }

        // Votes come only from configured authorities, so this is at least a majority of the votes cast too.
        var needed = Math.Max(authorityCount, votes.Length);
        var listed = new List<RelayStatus>();
        foreach (var (_, list) in entries)
        {
            if (MajorityVariant(list, needed) is not { } chosen)
            {
                continue;
            }

            var flags = RelayFlags.None;
            foreach (var flag in Enum.GetValues<RelayFlags>())
            {
                if (flag != RelayFlags.None && IsMajority(list.Count(r => (r.Flags & flag) != 0), list.Count))
                {
                    flags |= flag;
                }
            }

            listed.Add(new RelayStatus(
                chosen.Id, chosen.Nickname, chosen.Addresses, chosen.LinkKey, chosen.CircuitHandshakeKey, flags,
                LowMedian(list.Select(r => r.BandwidthWeight)), family: chosen.Family));
        }

        return [.. listed];
    }

    // The relay's own facts (descriptor digest, nickname, addresses, keys, family) when more than half of the
    // authorities voted exactly them; null when the votes are split (authorities holding different descriptors of the relay, or
    // one inventing an entry), so that no single authority's word can put keys, addresses or a family in the
    // consensus. The digest is part of the variant: an entry counts as the relay's only as the copy of one signed
    // document. The family is too, although the digest already covers it in honest votes: otherwise a vote naming the
    // right digest with another family would count with the honest copies, and its family could be the one listed.
    private static RelayStatus? MajorityVariant(List<RelayStatus> list, int authorityCount)
    {
        foreach (var group in list.GroupBy(Variant, StringComparer.Ordinal))
        {
            // At most one variant can hold a majority, so the first found is the only one.
            if (IsMajority(group.Count(), authorityCount))
            {
                return group.First();
            }
        }

        return null;
    }

    private static string Variant(RelayStatus relay) =>
        relay.DescriptorDigest + " " + relay.Nickname + " " + string.Join(' ', relay.Addresses) + " " + relay.LinkKey + " " +
        relay.CircuitHandshakeKey + " family " + string.Join(' ', relay.Family);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
