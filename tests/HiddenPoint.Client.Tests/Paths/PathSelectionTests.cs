using System.Net;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Paths;

/// <summary>The path rules hold over many selections, and the draws follow bandwidth.</summary>
public sealed class PathSelectionTests
{
    private const RelayFlags Middle = RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Stable;

    [Fact]
    public void Ten_thousand_paths_never_break_a_rule()
    {
        var (relays, families, consensus) = Network();
        var rules = new PathRules(families, new PathOptions());
        var picker = new WeightedRelayPicker(rules, new Random(7));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, new FakeTimeProvider(consensus.ValidAfter.AddMinutes(5)));
        var selector = new PathSelector(picker, guards);
        var purposes = Enum.GetValues<CircuitPurpose>();
        var random = new Random(11);
        var targets = relays.Where(PathRules.IsUsable).ToArray();
        var built = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var purpose = purposes[i % purposes.Length];
            var target = purpose != CircuitPurpose.Directory && i % 3 == 0 ? targets[random.Next(targets.Length)] : null;

            // A failing guard now and then moves the choice to the next one, as builds do.
            if (i % 97 == 0 && guards.Primary.Count > 0)
            {
                guards.ReportFailure(guards.Primary[random.Next(guards.Primary.Count)]);
            }

            var failure = selector.TrySelect(consensus, purpose, target, out var path);
            if (failure != PathFailure.None)
            {
                // Only a target that conflicts with every usable guard or vanguard may leave no path.
                Assert.NotNull(target);
                continue;
            }

            built++;
            Assert.Equal(PathSelector.ShapeOf(purpose, target is not null).Count, path.Length);
            Assert.True(path[0].Flags.HasFlag(RelayFlags.Guard), "the first hop is a Guard");
            Assert.Contains(path[0].Id, guards.Sample);
            if (PathSelector.ShapeOf(purpose, target is not null) is [_, HopRole.Vanguard, ..])
            {
                Assert.Contains(path[1].Id, guards.Vanguards.Select(v => v.Id));
            }

            if (target is not null)
            {
                Assert.Same(target, path[^1]);
            }

            for (var a = 0; a < path.Length; a++)
            {
                Assert.True(PathRules.IsUsable(path[a]), "every hop is Running and Valid");
                for (var b = a + 1; b < path.Length; b++)
                {
                    Assert.Equal(PathConflict.None, rules.Check(path[a], path[b]));
                }
            }
        }

        Assert.True(built > 9_000, $"only {built} of 10,000 selections found a path");
    }

    [Fact]
    public void DIR02_twenty_relays_in_one_family_and_one_subnet_never_share_a_path_over_ten_thousand()
    {
        // TEST-MATRIX DIR-02: 20 relays in one mutual family and one /16 (some of them guards), beside 20 honest relays.
        var relays = new List<RelayStatus>();
        for (var i = 0; i < 20; i++)
        {
            relays.Add(SyntheticConsensus.Relay("sybil" + i, $"10.66.{i}.1", i % 4 == 0 ? SyntheticConsensus.AllFlags : Middle, 600));
            relays.Add(SyntheticConsensus.Relay("honest" + i, $"10.{100 + i}.0.1", i < 8 ? SyntheticConsensus.AllFlags : Middle, 300));
        }

        var (consensus, _, _) = SyntheticConsensus.Build(relays);
        var sybils = consensus.Relays.Where(r => r.Nickname.StartsWith("sybil", StringComparison.Ordinal)).ToHashSet();
        var families = new TestFamilies();
        foreach (var a in sybils)
        {
            foreach (var b in sybils.Where(b => b != a))
            {
                families.Declare(a, b);
            }
        }

        // Each rule alone keeps them apart: the family without the subnet rule, the subnet rule without the family.
        foreach (var (rules, name) in new[]
        {
            (new PathRules(families, new PathOptions { EnforceDistinctSubnets = false }), "family"),
            (new PathRules(new TestFamilies(), new PathOptions()), "subnet"),
        })
        {
            var picker = new WeightedRelayPicker(rules, new Random(5));
            var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, new FakeTimeProvider(consensus.ValidAfter.AddMinutes(5)));
            var selector = new PathSelector(picker, guards);
            var purposes = Enum.GetValues<CircuitPurpose>().Where(p => p != CircuitPurpose.Directory).ToArray();
            var (violations, built) = (0, 0);
            for (var i = 0; i < 10_000; i++)
            {
                // A family guard whose four vanguards are all of the family leaves hidden-point circuits no path: a
                // refusal, never a violation.
                var failure = selector.TrySelect(consensus, purposes[i % purposes.Length], null, out var path);
                Assert.True(failure is PathFailure.None or PathFailure.NoVanguard, $"{failure}");
                built += failure == PathFailure.None ? 1 : 0;
                violations += failure == PathFailure.None && path.Count(sybils.Contains) > 1 ? 1 : 0;
            }

            Assert.True(violations == 0, $"{violations} of {built} paths held two of the family under the {name} rule alone");
            Assert.True(built >= 10_000 / purposes.Length, $"only {built} paths built");
        }
    }

    [Fact]
    public void Draws_follow_the_bandwidth_weights()
    {
        var (relays, families, consensus) = Network();
        var picker = new WeightedRelayPicker(new PathRules(families, new PathOptions()), new Random(3));
        var counts = new Dictionary<RelayStatus, int>();
        const int Draws = 200_000;
        for (var i = 0; i < Draws; i++)
        {
            var pick = picker.Pick(consensus.Relays, RelayFlags.Fast, [])!;
            counts[pick] = counts.GetValueOrDefault(pick) + 1;
        }

        var eligible = consensus.Relays.Where(r => picker.IsEligible(r, RelayFlags.Fast, [])).ToList();
        var total = eligible.Sum(r => (double)r.BandwidthWeight);
        Assert.All(consensus.Relays.Except(eligible), r => Assert.False(counts.ContainsKey(r), "an ineligible relay was drawn"));
        foreach (var relay in eligible)
        {
            var expected = Draws * relay.BandwidthWeight / total;
            var seen = counts.GetValueOrDefault(relay);

            // Five standard deviations of a binomial count, plus 1 % of the expectation.
            var tolerance = (5 * Math.Sqrt(expected)) + (0.01 * expected);
            Assert.True(Math.Abs(seen - expected) <= tolerance, $"{relay.Nickname}: {seen} draws, {expected:0} expected (± {tolerance:0})");
        }
    }

    [Fact]
    public void A_path_through_a_fixed_target_keeps_its_guard_and_vanguard_off_the_targets_subnet()
    {
        var guard = SyntheticConsensus.Relay("g1", "10.1.0.1", SyntheticConsensus.AllFlags, 100);
        var sameSubnet = SyntheticConsensus.Relay("target", "10.1.7.7", Middle, 100);
        var others = Enumerable.Range(0, 10).Select(i => SyntheticConsensus.Relay("r" + i, $"10.{20 + i}.0.1", SyntheticConsensus.AllFlags, 100)).ToList();
        var (consensus, _, _) = SyntheticConsensus.Build([guard, sameSubnet, .. others]);
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions()), new Random(5));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, new FakeTimeProvider(consensus.ValidAfter.AddMinutes(5)));
        var selector = new PathSelector(picker, guards);
        var target = consensus.Relays.Single(r => r.Nickname == "target");
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(PathFailure.None, selector.TrySelect(consensus, CircuitPurpose.HsDir, target, out var path));
            Assert.Equal(4, path.Length);
            Assert.All(path[..^1], hop => Assert.NotEqual("g1", hop.Nickname));
        }
    }

    [Fact]
    public void A_relay_found_unreachable_is_passed_over_while_others_fit_and_drawn_again_after_the_avoidance()
    {
        var relays = Enumerable.Range(0, 8).Select(i => SyntheticConsensus.Relay("r" + i, $"10.{20 + i}.0.1", SyntheticConsensus.AllFlags, 100)).ToList();
        var (consensus, _, _) = SyntheticConsensus.Build(relays);
        var clock = new FakeTimeProvider(consensus.ValidAfter.AddMinutes(5));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions()), new Random(9));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, clock);
        var unreachable = new RecentlyUnreachableRelays(clock, TimeSpan.FromSeconds(60));
        var selector = new PathSelector(picker, guards, unreachable);
        // The guard is never passed over, so the relay found unreachable must not be the guard (relay ids, and so the
        // guard drawn, differ from run to run).
        Assert.Equal(PathFailure.None, selector.TrySelect(consensus, CircuitPurpose.HsDir, null, out var first));
        var dead = consensus.Relays.First(r => r != first[0]);
        unreachable.Note(dead.Id);

        // Every fresh hop and vanguard avoids it; a target named by the caller is kept.
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(PathFailure.None, selector.TrySelect(consensus, CircuitPurpose.HsDir, null, out var path));
            Assert.DoesNotContain(dead, path.Skip(1));
        }

        Assert.Equal(PathFailure.None, selector.TrySelect(consensus, CircuitPurpose.General, dead, out var toDead));
        Assert.Same(dead, toDead[^1]);

        // When it is the only relay that fits, it is drawn all the same: the memory never leaves a circuit without a path.
        var (small, _, _) = SyntheticConsensus.Build([.. relays.Take(3)]);
        var onlyRelays = small.Relays.ToList();
        var tight = new RecentlyUnreachableRelays(clock, TimeSpan.FromSeconds(60));
        foreach (var relay in onlyRelays)
        {
            tight.Note(relay.Id);
        }

        var tightPicker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions()), new Random(9));
        var tightSelector = new PathSelector(tightPicker, new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), tightPicker, clock), tight);
        Assert.Equal(PathFailure.None, tightSelector.TrySelect(small, CircuitPurpose.General, null, out var full));
        Assert.Equal(3, full.Length);

        // After the avoidance, it is drawn again.
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.False(unreachable.IsAvoided(dead.Id));
        var drawn = false;
        for (var i = 0; i < 500 && !drawn; i++)
        {
            selector.TrySelect(consensus, CircuitPurpose.HsDir, null, out var path);
            drawn = path.Skip(1).Contains(dead);
        }

        Assert.True(drawn, "the relay was never drawn again after its avoidance ended");
    }

    [Fact]
    public void The_unreachable_memory_keeps_at_most_its_capacity_dropping_the_oldest()
    {
        var clock = new FakeTimeProvider();
        var memory = new RecentlyUnreachableRelays(clock, TimeSpan.FromMinutes(1));
        var ids = Enumerable.Range(0, RecentlyUnreachableRelays.Capacity + 10).Select(i => SyntheticConsensus.Relay("r" + i, "10.1.0.1", SyntheticConsensus.AllFlags, 1).Id).ToList();
        foreach (var id in ids)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            memory.Note(id);
        }

        Assert.Equal(RecentlyUnreachableRelays.Capacity, memory.Count);
        Assert.False(memory.IsAvoided(ids[0]));
        Assert.True(memory.IsAvoided(ids[^1]));
    }

    [Fact]
    public void Subnets_are_ipv4_slash_16_and_ipv6_slash_32()
    {
        Assert.Equal(SubnetKey.Of(IPAddress.Parse("10.1.2.3")), SubnetKey.Of(IPAddress.Parse("10.1.200.9")));
        Assert.NotEqual(SubnetKey.Of(IPAddress.Parse("10.1.2.3")), SubnetKey.Of(IPAddress.Parse("10.2.2.3")));
        Assert.Equal(SubnetKey.Of(IPAddress.Parse("10.1.2.3")), SubnetKey.Of(IPAddress.Parse("::ffff:10.1.9.9")));
        Assert.Equal(SubnetKey.Of(IPAddress.Parse("2001:db8:1::1")), SubnetKey.Of(IPAddress.Parse("2001:db8:ffff:1::7")));
        Assert.NotEqual(SubnetKey.Of(IPAddress.Parse("2001:db8::1")), SubnetKey.Of(IPAddress.Parse("2001:db9::1")));
        Assert.NotEqual(SubnetKey.Of(IPAddress.Parse("0.0.0.1")), SubnetKey.Of(IPAddress.Parse("::1")));
    }

    [Fact]
    public void Relays_are_one_family_only_when_each_lists_the_other()
    {
        var a = SyntheticConsensus.Relay("a", "10.1.0.1", Middle, 1);
        var b = SyntheticConsensus.Relay("b", "10.2.0.1", Middle, 1);
        var families = new TestFamilies();
        var rules = new PathRules(families, new PathOptions());
        families.Declare(a, b);
        Assert.Equal(PathConflict.None, rules.Check(a, b));
        families.Declare(b, a);
        Assert.Equal(PathConflict.SameFamily, rules.Check(a, b));
        Assert.Equal(PathConflict.SameRelay, rules.Check(a, a));
        Assert.Equal(PathConflict.None, new PathRules(families, new PathOptions { EnforceDistinctSubnets = false })
            .Check(a, SyntheticConsensus.Relay("c", "10.1.0.2", Middle, 1)));
    }

    // 60 relays: 20 guards, every fourth relay in a /16 shared with two others, some IPv6 relays sharing a /32, five
    // mutual families of two, one-sided family claims, and heavy relays that are not Running or not Valid.
    private static (List<RelayStatus> Relays, TestFamilies Families, Consensus Consensus) Network()
    {
        var relays = new List<RelayStatus>();
        for (var i = 0; i < 60; i++)
        {
            var address = i % 4 == 0 ? $"10.{i % 3}.{i}.1"
                : i % 7 == 0 ? $"2001:db8:{i}::1"
                : $"10.{10 + i}.0.1";
            var flags = i < 20 ? SyntheticConsensus.AllFlags : Middle;
            if (i == 50)
            {
                flags &= ~RelayFlags.Running;
            }

            if (i == 51)
            {
                flags &= ~RelayFlags.Valid;
            }

            var weight = i is 50 or 51 ? 1_000_000u : (uint)(100 + (i * 37 % 900));
            relays.Add(SyntheticConsensus.Relay("relay" + i, address, flags, weight));
        }

        var (consensus, _, _) = SyntheticConsensus.Build(relays);
        var listed = consensus.Relays.ToDictionary(r => r.Nickname);
        var families = new TestFamilies();
        for (var i = 0; i < 5; i++)
        {
            families.Declare(listed["relay" + i], listed["relay" + (30 + i)]);
            families.Declare(listed["relay" + (30 + i)], listed["relay" + i]);
        }

        families.Declare(listed["relay5"], listed["relay40"]);
        return ([.. consensus.Relays], families, consensus);
    }
}
