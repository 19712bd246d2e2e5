using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

public sealed class ConsensusComputationTests : IDisposable
{
    private static readonly DateTimeOffset s_validAfter = Start;
    private readonly AuthorityIdentityKey[] _keys = [Authority(1), Authority(2), Authority(3)];

    private AuthorityId[] Pinned => _keys.Select(k => k.Id).ToArray();

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private Vote MakeVote(int voter, IReadOnlyList<RelayStatus> relays, IEnumerable<KeyValuePair<string, int>>? parameters = null, DateTimeOffset? validAfter = null)
    {
        var after = validAfter ?? s_validAfter;
        var document = new NetworkStatusBuilder
        {
            ValidAfter = after,
            FreshUntil = after.AddHours(1),
            ValidUntil = after.AddHours(3),
            Parameters = new NetworkParameters(parameters ?? []),
            SharedRandomPreviousValue = Seed((byte)voter, 0x54),
            SharedRandomCurrentValue = Seed((byte)voter, 0x55),
            Authorities = [Entry(_keys[voter], (byte)(voter + 1))],
            Relays = relays,
        }.BuildVote(_keys[voter]);
        return ParseVote(document, Pinned, after);
    }

    private Vote[] ThreeVotes() =>
    [
        MakeVote(0, [Status(1, RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast, 100), Status(2, RelayFlags.Running, 10), Status(4, RelayFlags.Valid, 1)],
            [new("CircuitWindow", 500), new("HsDirReplicas", 2), new("OnlyOne", 7)]),
        MakeVote(1, [Status(1, RelayFlags.Running | RelayFlags.Valid, 300), Status(2, RelayFlags.Running | RelayFlags.Guard, 20), Status(3, RelayFlags.Valid, 5)],
            [new("CircuitWindow", 900), new("HsDirReplicas", 3)]),
        MakeVote(2, [Status(1, RelayFlags.Running | RelayFlags.Fast, 200), Status(3, RelayFlags.Valid | RelayFlags.Stable, 7)],
            [new("CircuitWindow", 700)]),
    ];

    private static Consensus ParseUnchecked(byte[] body, IEnumerable<DirectorySignature> signatures, IReadOnlyCollection<AuthorityId> pinned, out SignatureCheck<TimeBound<Consensus>> check)
    {
        var document = NetworkStatusBuilder.Assemble(body, signatures);
        Assert.True(UnverifiedConsensus.TryParse(document, out var unverified, out var error), error.ToString());
        check = unverified.VerifySignatures(pinned);
        return check.IsValid ? check.Value.CheckValidAt(s_validAfter, null).Value! : null!;
    }

    [Fact]
    public void Three_authorities_reach_identical_bytes_in_any_vote_order()
    {
        var votes = ThreeVotes();
        int[][] orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        var bodies = orders.Select(o => ConsensusComputation.Compute(o.Select(i => votes[i]), 3, s_validAfter)).ToArray();
        Assert.All(bodies, b => Assert.Equal(ConsensusFailure.None, b.Failure));
        Assert.All(bodies, b => Assert.Equal(bodies[0].Body, b.Body));

        // Each authority parses its copy of the votes from bytes and computes on its own.
        var perAuthority = _keys.Select(_ => ConsensusComputation.Compute(
            votes.Reverse().Select(v => ParseVote(v.Document.ToArray(), Pinned, s_validAfter)), 3, s_validAfter).Body).ToArray();
        Assert.All(perAuthority, b => Assert.Equal(bodies[0].Body, b));
    }

    [Fact]
    public void Relays_flags_weights_and_parameters_follow_the_majority_and_median()
    {
        var result = ConsensusComputation.Compute(ThreeVotes(), 3, s_validAfter);
        Assert.NotNull(result.Body);
        var consensus = ParseUnchecked(result.Body, _keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, result.Body, k)), Pinned, out var check);
        Assert.True(check.IsValid, check.ToString());

        Assert.Equal(3, consensus.Authorities.Count);
        // Relay 4 is in one vote of three: not listed. 1, 2, 3 are in at least two.
        Assert.Equal(3, consensus.Relays.Count);
        Assert.False(consensus.TryGetRelay(Relay(4).Id, out _));

        Assert.True(consensus.TryGetRelay(Relay(1).Id, out var one));
        Assert.Equal(RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast, one.Flags); // each set by 2 of 3
        Assert.Equal(200u, one.BandwidthWeight);

        Assert.True(consensus.TryGetRelay(Relay(2).Id, out var two));
        Assert.Equal(RelayFlags.Running, two.Flags); // Guard by 1 of the 2 voters listing it: not a majority
        Assert.Equal(10u, two.BandwidthWeight); // low median of 10 and 20

        Assert.True(consensus.TryGetRelay(Relay(3).Id, out var three));
        Assert.Equal(RelayFlags.Valid, three.Flags);

        Assert.Equal(700, consensus.Parameters.Get(NetworkParameter.CircuitWindow));
        // HsDirReplicas is set by two of three (median 2); OnlyOne by one of three, so absent.
        Assert.Equal([new KeyValuePair<string, int>("CircuitWindow", 700), new("HsDirReplicas", 2)], consensus.Parameters.All);
        Assert.Equal(s_validAfter.AddHours(1), consensus.FreshUntil);
    }

    [Fact]
    public void The_relay_variant_most_votes_give_is_listed()
    {
        var votes = new[]
        {
            MakeVote(0, [Status(1, RelayFlags.Valid, 1, "Old")]),
            MakeVote(1, [Status(1, RelayFlags.Valid, 1, "New")]),
            MakeVote(2, [Status(1, RelayFlags.Valid, 1, "New")]),
        };
        var body = ConsensusComputation.Compute(votes, 3, s_validAfter).Body!;
        Assert.Contains("relay New ", System.Text.Encoding.ASCII.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_of_two_of_three_are_accepted_and_one_of_three_is_refused()
    {
        var bodies = _keys.Select(_ => ConsensusComputation.Compute(ThreeVotes(), 3, s_validAfter).Body!).ToArray();
        var signatures = _keys.Select((k, i) => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, bodies[i], k)).ToArray();

        ParseUnchecked(bodies[0], signatures[..2], Pinned, out var two);
        Assert.True(two.IsValid, two.ToString());
        Assert.Equal(2, two.ValidSignatures);

        ParseUnchecked(bodies[0], signatures[2..], Pinned, out var one);
        Assert.Equal(SignatureError.TooFewSignatures, one.Error);

        ParseUnchecked(bodies[0], signatures, Pinned, out var all);
        Assert.Equal(3, all.ValidSignatures);
    }

    [Fact]
    public void Too_few_votes_and_votes_for_another_period_give_no_consensus()
    {
        Assert.Equal(ConsensusFailure.NoVotes, ConsensusComputation.Compute([], 3, s_validAfter).Failure);
        var votes = ThreeVotes();
        Assert.Equal(ConsensusFailure.TooFewVotes, ConsensusComputation.Compute(votes[..1], 3, s_validAfter).Failure);
        Assert.Equal(ConsensusFailure.TooFewVotes, ConsensusComputation.Compute(votes[..2], 4, s_validAfter).Failure);

        var other = MakeVote(2, [], validAfter: s_validAfter.AddHours(1));
        var result = ConsensusComputation.Compute([votes[0], other], 3, s_validAfter);
        Assert.Equal(ConsensusFailure.TooFewVotes, result.Failure);
        Assert.Equal(1, result.VotesCounted);
    }

    [Fact]
    public void A_voter_counts_once()
    {
        var votes = ThreeVotes();
        var result = ConsensusComputation.Compute([votes[0], votes[0], votes[0]], 3, s_validAfter);
        Assert.Equal(ConsensusFailure.TooFewVotes, result.Failure);
    }
}
