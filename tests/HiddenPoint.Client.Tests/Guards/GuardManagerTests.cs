using HiddenPoint.Crypto.Keys;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Guards;

/// <summary>Guards after guard-spec and vanguards after proposal 333, with their state kept in one file.</summary>
public sealed class GuardManagerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hpc-guards-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Three_primary_guards_are_used_in_order_and_a_failing_one_is_skipped_until_its_backoff_ends()
    {
        var (consensus, clock, manager, _) = Create(new InMemoryGuardStateStore());
        manager.Update(consensus);
        Assert.Equal(3, manager.Primary.Count);
        Assert.Equal(20, manager.Sample.Count);
        var first = manager.Primary[0];
        Assert.Equal(first, manager.ChooseGuard(consensus, _ => true)!.Id);

        manager.ReportFailure(first);
        Assert.Equal(manager.Primary[1], manager.ChooseGuard(consensus, _ => true)!.Id);
        Assert.Equal(first, manager.Primary[0]);

        // The back-off doubles with each failure in a row and is bounded.
        Assert.Equal(TimeSpan.FromSeconds(10), manager.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(20), manager.Backoff(2));
        Assert.Equal(TimeSpan.FromHours(1), manager.Backoff(50));

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(first, manager.ChooseGuard(consensus, _ => true)!.Id);
        manager.ReportSuccess(first);
        Assert.Equal([first], manager.Confirmed);
    }

    [Fact]
    public void When_every_primary_guard_fails_the_next_guards_are_used_and_the_primaries_stay()
    {
        var (consensus, _, manager, _) = Create(new InMemoryGuardStateStore());
        manager.Update(consensus);
        var primary = manager.Primary.ToArray();
        foreach (var id in primary)
        {
            manager.ReportFailure(id);
        }

        var next = manager.ChooseGuard(consensus, _ => true)!;
        Assert.DoesNotContain(next.Id, primary);
        Assert.Equal(primary.ToHashSet(), manager.Primary.ToHashSet());
    }

    [Fact]
    public void A_guard_that_leaves_the_consensus_is_not_used_and_is_dropped_after_the_unlisted_period()
    {
        var relays = Relays(30);
        var (consensus, clock, manager, _) = Create(new InMemoryGuardStateStore(), relays);
        manager.Update(consensus);
        var gone = manager.Primary[0];
        var (without, _, _) = SyntheticConsensus.Build([.. consensus.Relays.Where(r => r.Id != gone)], consensus.ValidAfter.AddHours(1));
        clock.Advance(TimeSpan.FromHours(1));
        manager.Update(without);
        Assert.DoesNotContain(gone, manager.Primary);
        Assert.Contains(gone, manager.Sample);
        Assert.NotEqual(gone, manager.ChooseGuard(without, _ => true)!.Id);

        clock.Advance(TimeSpan.FromDays(21));
        var (later, _, _) = SyntheticConsensus.Build([.. without.Relays], without.ValidAfter.AddDays(21));
        manager.Update(later);
        Assert.DoesNotContain(gone, manager.Sample);
    }

    [Fact]
    public void GD01_the_guard_in_use_killed_every_ten_minutes_for_six_hours_moves_the_client_only_among_its_primary_guards()
    {
        // TEST-MATRIX GD-01: every 10 minutes the guard the client uses is killed (kill -9, back a minute later); the
        // client builds a circuit every minute. It must go on with its next primary guard, come back to the first, and
        // take no new guard because of the forced failures (bar: at most 3 new guards in 24 hours).
        var (consensus, clock, manager, _) = Create(new InMemoryGuardStateStore());
        manager.Update(consensus);
        var primary = manager.Primary.ToArray();
        var used = new HashSet<RelayId>();
        RelayId? down = null;
        var downUntil = DateTimeOffset.MinValue;
        for (var minute = 0; minute < 6 * 60; minute++)
        {
            if (minute % 10 == 0)
            {
                down = manager.ChooseGuard(consensus, _ => true)!.Id;
                downUntil = clock.GetUtcNow() + TimeSpan.FromMinutes(1);
            }

            // One circuit: a guard that is down fails the first hop and the next is tried, as builds do.
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 10, "no guard could be had");
                var guard = manager.ChooseGuard(consensus, _ => true);
                Assert.NotNull(guard);
                if (guard.Id == down && clock.GetUtcNow() < downUntil)
                {
                    manager.ReportFailure(guard.Id);
                    continue;
                }

                manager.ReportSuccess(guard.Id);
                used.Add(guard.Id);
                break;
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(primary.ToHashSet(), manager.Primary.ToHashSet());
        Assert.True(used.IsSubsetOf(primary), $"{used.Count} guards used, {used.Except(primary).Count()} outside the primary ones");
        Assert.True(used.Count <= 3, $"{used.Count} guards used in 6 hours");
    }

    [Fact]
    public void Four_vanguards_live_between_one_and_twelve_days_and_are_replaced_when_they_expire()
    {
        var (consensus, clock, manager, _) = Create(new InMemoryGuardStateStore());
        manager.Update(consensus);
        var vanguards = manager.Vanguards;
        Assert.Equal(4, vanguards.Count);
        Assert.Equal(4, vanguards.Select(v => v.Id).Distinct().Count());
        var now = clock.GetUtcNow();
        Assert.All(vanguards, v => Assert.InRange(v.ExpiresAt - now, TimeSpan.FromDays(1), TimeSpan.FromDays(12)));

        var firstExpiry = vanguards.Min(v => v.ExpiresAt);
        clock.Advance(TimeSpan.FromHours(Math.Ceiling((firstExpiry - now).TotalHours) + 1));
        var (later, _, _) = SyntheticConsensus.Build([.. consensus.Relays], consensus.ValidAfter + TimeSpan.FromHours(Math.Ceiling((firstExpiry - now).TotalHours) + 1));
        manager.Update(later);
        Assert.Equal(4, manager.Vanguards.Count);
        Assert.All(manager.Vanguards, v => Assert.True(v.ExpiresAt > clock.GetUtcNow()));
    }

    [Fact]
    public void The_state_survives_a_restart_in_one_file()
    {
        var store = new GuardStateFile(_folder, TimeProvider.System);
        var (consensus, clock, manager, picker) = Create(store);
        manager.Update(consensus);
        manager.ReportSuccess(manager.Primary[1]);
        Assert.True(File.Exists(Path.Combine(_folder, GuardStateFile.FileName)));

        var again = new GuardManager(new GuardOptions(), new GuardStateFile(_folder, TimeProvider.System), picker, clock);
        Assert.Equal(GuardStateLoadStatus.Loaded, again.LoadStatus.Status);
        again.Update(consensus);
        Assert.Equal(manager.Sample, again.Sample);
        Assert.Equal(manager.Confirmed, again.Confirmed);
        Assert.Equal(manager.Primary, again.Primary);
        Assert.Equal(manager.Vanguards, again.Vanguards);
    }

    [Theory]
    [InlineData("{ not json", GuardStateLoadStatus.Corrupt)]
    [InlineData("{\"version\":1,\"sample\":[],\"vanguards\":[],\"extra\":1}", GuardStateLoadStatus.Corrupt)]
    [InlineData("{\"version\":1,\"sample\":[{\"id\":\"short\",\"addedAt\":\"2026-01-01T00:00:00Z\"}],\"vanguards\":[]}", GuardStateLoadStatus.Corrupt)]
    [InlineData("{\"version\":2,\"sample\":[],\"vanguards\":[]}", GuardStateLoadStatus.UnsupportedVersion)]
    [InlineData("null", GuardStateLoadStatus.Corrupt)]
    public void A_bad_state_file_is_refused_kept_aside_and_a_fresh_sample_starts(string contents, GuardStateLoadStatus expected)
    {
        System.IO.Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, GuardStateFile.FileName);
        File.WriteAllText(path, contents);
        var (consensus, _, manager, _) = Create(new GuardStateFile(_folder, TimeProvider.System));
        Assert.Equal(expected, manager.LoadStatus.Status);
        Assert.NotEmpty(manager.LoadStatus.Detail);
        Assert.Single(System.IO.Directory.GetFiles(_folder, GuardStateFile.FileName + ".bad-*"));
        manager.Update(consensus);
        Assert.Equal(20, manager.Sample.Count);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void An_oversized_state_file_is_refused_unread()
    {
        System.IO.Directory.CreateDirectory(_folder);
        File.WriteAllBytes(Path.Combine(_folder, GuardStateFile.FileName), new byte[GuardStateFile.MaxFileLength + 1]);
        var load = new GuardStateFile(_folder, TimeProvider.System).Load();
        Assert.Equal(GuardStateLoadStatus.TooLarge, load.Status);
        Assert.Single(System.IO.Directory.GetFiles(_folder, GuardStateFile.FileName + ".bad-*"));
    }

    [Fact]
    public void Options_out_of_range_are_refused_naming_the_option()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new GuardOptions { PrimaryGuards = 0 }.Validate());
        Assert.Contains(nameof(GuardOptions.PrimaryGuards), error.Message, StringComparison.Ordinal);
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new GuardOptions { VanguardLifetimeMax = TimeSpan.FromHours(1) }.Validate());
    }

    private static List<RelayStatus> Relays(int count) =>
        [.. Enumerable.Range(0, count).Select(i => SyntheticConsensus.Relay("relay" + i, $"10.{i}.0.1", SyntheticConsensus.AllFlags, (uint)(100 + i)))];

    private static (Consensus Consensus, FakeTimeProvider Clock, GuardManager Manager, WeightedRelayPicker Picker) Create(IGuardStateStore store, List<RelayStatus>? relays = null)
    {
        var (consensus, _, _) = SyntheticConsensus.Build(relays ?? Relays(30));
        var clock = new FakeTimeProvider(consensus.ValidAfter.AddMinutes(5));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions()), new Random(1));
        return (consensus, clock, new GuardManager(new GuardOptions(), store, picker, clock), picker);
    }
}
