using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>The shared random values the authorities publish, and the HSDir ring they fix for a whole time period.</summary>
public sealed class SharedRandomTests : IDisposable
{
    private const RelayFlags HsDirFlags = RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Valid | RelayFlags.Stable;

    private readonly AuthorityIdentityKey[] _keys = [Authority(1), Authority(2), Authority(3)];

    private AuthorityId[] Pinned => _keys.Select(k => k.Id).ToArray();

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    public static TheoryData<int, int> Networks => new()
    {
        { 1440, 60 },   // the defaults: a day-long period, a consensus every hour
        { 10, 1 },      // a testnet: ten-minute periods, a consensus every minute
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Across_every_consensus_of_a_period_the_ring_stays_where_it_was(int periodMinutes, int intervalMinutes)
    {
        var parameters = periodMinutes == 1440 ? [] : new[] { new KeyValuePair<string, int>("HsDirInterval", periodMinutes) };
        var schedule = new TimePeriodSchedule((uint)periodMinutes);
        var period = schedule.PeriodAt(Start);
        var relays = Enumerable.Range(1, 12).Select(n => Status((byte)n, HsDirFlags, 100)).ToArray();

        HsDirPeriodRing? first = null;
        var consensuses = 0;
        for (var validAfter = period.Start; validAfter < period.End; validAfter = validAfter.AddMinutes(intervalMinutes))
        {
            // Each vote carries values of its own: the consensus does not depend on them.
            var view = HsDirView.Create(Consensus(validAfter, relays, parameters, randomVoteValues: true));
            Assert.Equal(period, view.FetchPeriod);
            var ring = view.FetchRing;
            Assert.Same(ring, view.RingFor(period));
            Assert.Equal(HsDirRing.DisasterSharedRandomValue(period, HsDirRingLabels.Hpc), ring.SharedRandom);

            first ??= ring;
            Assert.Equal(first.SharedRandom, ring.SharedRandom);
            Assert.Equal(relays.Length, ring.Count);
            for (var position = 0; position < ring.Count; position++)
            {
                Assert.Equal(first.RelayAt(position).Id, ring.RelayAt(position).Id);
                Assert.Equal(first.IndexAt(position), ring.IndexAt(position));
            }

            consensuses++;
        }

        Assert.Equal(periodMinutes / intervalMinutes, consensuses);

        // The next period has a ring of its own.
        var next = HsDirView.Create(Consensus(period.End, relays, parameters));
        Assert.Equal(period.Next(), next.FetchPeriod);
        Assert.NotEqual(first!.SharedRandom, next.FetchRing.SharedRandom);
    }

    [Fact]
    public void The_consensus_carries_the_previous_and_the_current_value_by_the_schedule()
    {
        // 08:00 is before the 12:00 rotation: the current value is the next period's, the previous one this period's.
        var consensus = Consensus(Start, [Status(1, HsDirFlags, 100)], []);
        var schedule = TimePeriodSchedule.Default;
        var current = schedule.CurrentValuePeriod(Start);
        Assert.Equal(schedule.PeriodAt(Start).Next(), current);
        Assert.Equal(HsDirRing.DisasterSharedRandomValue(current, HsDirRingLabels.Hpc).Bytes.ToArray(), consensus.SharedRandomCurrentValue.ToArray());
        Assert.Equal(HsDirRing.DisasterSharedRandomValue(current.Previous(), HsDirRingLabels.Hpc).Bytes.ToArray(), consensus.SharedRandomPreviousValue.ToArray());

        // The frozen example of docs/directory-documents.md §3.7.
        Assert.Equal("npQweTcA/oIZ3rDzXius6Nb+6zLBVYU3GOEMV6BMeQ4=", Convert.ToBase64String(consensus.SharedRandomPreviousValue.Span));
        Assert.Equal("U4fHhZSZIMiWpBM0pKBVBOnM7z9mIqPRRthf/d9OT38=", Convert.ToBase64String(consensus.SharedRandomCurrentValue.Span));

        // The value of a period is the same whoever computes it, from the period alone.
        var (previous, now) = SharedRandomValues.At(Start.AddMinutes(17), NetworkParameters.Empty);
        Assert.Equal(consensus.SharedRandomPreviousValue.ToArray(), previous);
        Assert.Equal(consensus.SharedRandomCurrentValue.ToArray(), now);
    }

    private Consensus Consensus(DateTimeOffset validAfter, RelayStatus[] relays, IEnumerable<KeyValuePair<string, int>> parameters, bool randomVoteValues = false)
    {
        var votes = Enumerable.Range(0, _keys.Length).Select(i =>
        {
            var document = new NetworkStatusBuilder
            {
                ValidAfter = validAfter,
                FreshUntil = validAfter.AddMinutes(1),
                ValidUntil = validAfter.AddMinutes(3),
                Parameters = new NetworkParameters(parameters),
                SharedRandomPreviousValue = randomVoteValues ? RandomNumberGenerator.GetBytes(32) : new byte[32],
                SharedRandomCurrentValue = randomVoteValues ? RandomNumberGenerator.GetBytes(32) : new byte[32],
                Authorities = [Entry(_keys[i], (byte)(i + 1))],
                Relays = relays,
            }.BuildVote(_keys[i]);
            return ParseVote(document, Pinned, validAfter);
        }).ToArray();
        var result = ConsensusComputation.Compute(votes, _keys.Length, validAfter);
        Assert.Equal(ConsensusFailure.None, result.Failure);
        var signed = NetworkStatusBuilder.Assemble(result.Body!, _keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, result.Body!, k)));
        Assert.True(UnverifiedConsensus.TryParse(signed, out var unverified, out var error), error.ToString());
        var check = unverified.VerifySignatures(Pinned);
        Assert.True(check.IsValid, check.ToString());
        return check.Value.CheckValidAt(validAfter, null).Value!;
    }
}
