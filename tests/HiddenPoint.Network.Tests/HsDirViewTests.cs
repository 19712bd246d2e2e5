using System.Net;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Tests;

public sealed class HsDirViewTests
{
    private const RelayFlags HsDir = RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Valid;

    // 08:00, in the second half of the period that started at 12:00 the day before: the value of the period clients
    // use is the consensus's previous one. 14:00 is after the next period started: it is the current one.
    private static readonly DateTimeOffset s_morning = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_afternoon = new(2026, 11, 28, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Clients_use_the_value_of_the_period_valid_after_falls_in_and_hosts_both()
    {
        var schedule = TimePeriodSchedule.Default;
        var morning = HsDirView.Create(TestConsensus.Build(s_morning, TestConsensus.Relays(5, HsDir)));
        Assert.Equal(s_morning, morning.NetworkTime);
        Assert.Equal(schedule.PeriodAt(s_morning), morning.FetchPeriod);
        Assert.Equal(morning.PreviousValuePeriod, morning.FetchPeriod);
        Assert.Equal(morning.FetchPeriod.Next(), morning.CurrentValuePeriod);
        Assert.Equal(new SharedRandomValue(morning.Consensus.SharedRandomPreviousValue.Span), morning.FetchRing.SharedRandom);
        Assert.Equal([morning.PreviousValuePeriod, morning.CurrentValuePeriod], morning.UploadRings.Select(r => r.Period));
        Assert.Equal(new SharedRandomValue(morning.Consensus.SharedRandomCurrentValue.Span), morning.UploadRings[1].SharedRandom);

        var afternoon = HsDirView.Create(TestConsensus.Build(s_afternoon, TestConsensus.Relays(5, HsDir)));
        Assert.Equal(morning.CurrentValuePeriod, afternoon.FetchPeriod);
        Assert.Equal(afternoon.CurrentValuePeriod, afternoon.FetchPeriod);
        Assert.Equal(new SharedRandomValue(afternoon.Consensus.SharedRandomCurrentValue.Span), afternoon.FetchRing.SharedRandom);
        Assert.Equal([afternoon.PreviousValuePeriod, afternoon.CurrentValuePeriod], afternoon.UploadRings.Select(r => r.Period));

        // Only the two periods whose values the consensus carries have a ring.
        Assert.Null(morning.RingFor(morning.PreviousValuePeriod.Previous()));
        Assert.Null(morning.RingFor(morning.CurrentValuePeriod.Next()));
    }

    [Fact]
    public void The_ring_holds_the_running_hsdirs_sorted_by_their_index()
    {
        var relays = TestConsensus.Relays(12, HsDir).ToList();
        relays[3] = TestConsensus.Relay(40, RelayFlags.Running | RelayFlags.Valid);       // not an HSDir
        relays[7] = TestConsensus.Relay(41, RelayFlags.HSDir | RelayFlags.Valid);         // not running
        var view = HsDirView.Create(TestConsensus.Build(s_morning, relays));
        var ring = view.FetchRing;

        Assert.Equal(10, ring.Count);
        Assert.False(ring.TryGetIndex(relays[3].Id, out _));
        Assert.False(ring.TryGetIndex(relays[7].Id, out _));
        for (var i = 0; i < ring.Count; i++)
        {
            var relay = ring.RelayAt(i);
            Assert.Equal(HsDirRing.RelayIndex(relay.Id.Key.Bytes, ring.SharedRandom, ring.Period, HsDirRingLabels.Hpc), ring.IndexAt(i));
            Assert.True(ring.TryGetIndex(relay.Id, out var index));
            Assert.Equal(ring.IndexAt(i), index);
            Assert.True(i == 0 || ring.IndexAt(i - 1) < ring.IndexAt(i));
        }
    }

    [Fact]
    public void An_hsdir_accepts_exactly_the_keys_either_upload_ring_gives_it_with_some_slack()
    {
        var relays = TestConsensus.Relays(60, HsDir);
        var view = HsDirView.Create(TestConsensus.Build(s_morning, relays));
        Assert.Equal(HsDirRingParameters.Default, view.RingParameters);
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var wider = new HsDirRingParameters { SpreadStore = view.RingParameters.SpreadStore + HsDirView.UploadSlack };
        foreach (var ring in view.UploadRings)
        {
            var key = KeyBlinding.BlindPublicKey(identity.PublicKey, ring.Period, KeyBlindingLabels.Hpc);
            var targets = ring.StoreTargets(key);
            Assert.Equal(view.RingParameters.Replicas * view.RingParameters.SpreadStore, targets.Count);
            Assert.Equal(targets.Count, targets.Select(t => t.Id).Distinct().Count());
            Assert.All(targets, t => Assert.True(view.AcceptsUpload(t.Id, key)));

            // Clients pick from the first three of each replica's four.
            var candidates = ring.FetchCandidates(key);
            Assert.Equal(view.RingParameters.Replicas * view.RingParameters.SpreadFetch, candidates.Count);
            Assert.All(candidates, c => Assert.Contains(c, targets));

            // The ring's own choice, computed from scratch: positions after each replica's index, skipping repeats.
            var sorted = Enumerable.Range(0, ring.Count).Select(ring.IndexAt).ToArray();
            var positions = Enumerable.Range(1, view.RingParameters.Replicas).Select(r => HsDirRing.ServiceIndex(key, r, ring.Period, HsDirRingLabels.Hpc)).ToArray();
            var selected = new int[positions.Length * wider.SpreadStore];
            var count = HsDirRing.SelectResponsible(sorted, positions, wider.SpreadStore, selected);
            var accepted = selected[..count].Select(ring.RelayAt).Select(r => r.Id).ToHashSet();
            Assert.All(targets, t => Assert.Contains(t.Id, accepted));
            foreach (var relay in relays)
            {
                Assert.Equal(accepted.Contains(relay.Id), ring.Holds(relay.Id, key, HsDirView.UploadSlack));
            }
        }

        // Any key is accepted by the few relays after its positions (2 periods × 2 replicas × 6 at most) and refused by
        // the rest of the ring.
        var elsewhere = KeyBlinding.BlindPublicKey(identity.PublicKey, view.CurrentValuePeriod.Next(), KeyBlindingLabels.Hpc);
        Assert.InRange(relays.Count(r => view.AcceptsUpload(r.Id, elsewhere)), 6, 24);
    }

    [Fact]
    public void Ring_parameters_and_period_length_come_from_the_consensus()
    {
        var view = HsDirView.Create(TestConsensus.Build(
            s_morning, TestConsensus.Relays(20, HsDir), [new("HsDirInterval", 10), new("HsDirReplicas", 3), new("HsDirSpreadFetch", 2), new("HsDirSpreadStore", 5)]));
        Assert.Equal(10u, view.Schedule.LengthMinutes);
        Assert.Equal(5u, view.Schedule.RotationOffsetMinutes);
        Assert.Equal(new HsDirRingParameters { Replicas = 3, SpreadStore = 5, SpreadFetch = 2 }, view.RingParameters);
        Assert.Equal(10u, view.FetchPeriod.LengthMinutes);
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var key = KeyBlinding.BlindPublicKey(identity.PublicKey, view.FetchPeriod, KeyBlindingLabels.Hpc);
        Assert.Equal(15, view.FetchRing.StoreTargets(key).Count);
        Assert.Equal(6, view.FetchRing.FetchCandidates(key).Count);
    }

    [Fact]
    public void The_source_builds_one_view_per_consensus()
    {
        var consensus = new SwappableConsensusSource();
        var source = new HsDirViewSource(consensus);
        Assert.False(source.TryGetView(out _, out var reason));
        Assert.Equal(ConsensusUnavailable.NoneYet, reason);

        consensus.Value = TestConsensus.Build(s_morning, TestConsensus.Relays(3, HsDir));
        Assert.True(source.TryGetView(out var first, out _));
        Assert.True(source.TryGetView(out var again, out _));
        Assert.Same(first, again);

        consensus.Value = TestConsensus.Build(s_afternoon, TestConsensus.Relays(3, HsDir));
        Assert.True(source.TryGetView(out var next, out _));
        Assert.NotSame(first, next);
        Assert.Same(consensus.Value, next.Consensus);
    }
}
