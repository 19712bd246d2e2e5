using System.Net;
using System.Net.Sockets;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.IntegrationTests.Circuits;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.IntegrationTests.Client;

/// <summary>The builder retries on another path when the guard is down, and tells the guard manager.</summary>
public sealed class CircuitBuilderRetryTests
{
    [Fact]
    public async Task A_guard_that_refuses_connections_is_reported_and_the_build_succeeds_through_the_next_guard()
    {
        await using var network = await RelayNetwork.StartAsync(4);

        // Only relay 0 and a dead relay (a closed port, far heavier) are Guards, so the dead one is sampled first; the dead
        // one is not Fast, so it is never drawn as a middle or last hop.
        var live = Enumerable.Range(0, 4).Select(i => network.StatusOf(i)).Select((s, i) => i == 0 ? s
            : new RelayStatus(s.Id, s.Nickname, s.Addresses, s.LinkKey, s.CircuitHandshakeKey, s.Flags & ~RelayFlags.Guard, s.BandwidthWeight)).ToList();
        var dead = SyntheticConsensus.Relay("dead", "127.0.0.1", SyntheticConsensus.AllFlags & ~RelayFlags.Fast, 1_000_000, (ushort)ClosedPort());
        var consensus = TestConsensus.Build([.. live, dead]);
        var source = new SwappableConsensusSource { Value = consensus };

        using var meters = new TestMeterFactory();
        using var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));

        // Every relay of the in-process network listens on 127.0.0.1: the subnet rule is off for this test alone.
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }), new Random(4));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        guards.Update(consensus);
        Assert.Equal(dead.Id, guards.Primary[0]);
        await using var builder = new CircuitBuilder(source, links, new PathSelector(picker, guards), guards, new CircuitBuilderOptions(), TimeProvider.System);

        var built = await builder.GetAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);
        Assert.Equal(live[0].Id, built.Path[0].Id);
        Assert.Equal(3, built.Circuit.HopCount);
        Assert.NotNull(guards.NextRetryAt);
        Assert.Equal([live[0].Id], guards.Confirmed);

        // The failing guard is not replaced: it stays primary, behind the confirmed one (guard-spec's order).
        Assert.Equal([live[0].Id, dead.Id], guards.Primary);
        await built.Circuit.CloseAsync();
    }

    [Fact]
    public async Task A_guard_that_refuses_circuits_with_destroy_is_not_marked_failed()
    {
        // Relay 0, the only Guard, is up but refuses every client's CREATE2 (its per-address circuit rate is spent).
        var refusing = new PermitAllAdmission { Refuse = HiddenPoint.Relay.Limits.AdmissionRefusal.CircuitRate };
        await using var network = await RelayNetwork.StartAsync(4, admission: i => i == 0 ? refusing : null);
        var statuses = Enumerable.Range(0, 4).Select(network.StatusOf)
            .Select((s, i) => i == 0 ? s : new RelayStatus(s.Id, s.Nickname, s.Addresses, s.LinkKey, s.CircuitHandshakeKey, s.Flags & ~RelayFlags.Guard, s.BandwidthWeight)).ToList();
        var consensus = TestConsensus.Build(statuses);
        using var meters = new TestMeterFactory();
        using var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }), new Random(4));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        await using var builder = new CircuitBuilder(new SwappableConsensusSource { Value = consensus }, links, new PathSelector(picker, guards), guards, new CircuitBuilderOptions(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<CircuitBuildException>(() => builder.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step));

        // Every attempt reached the guard and was refused; the guard stays usable (no back-off) for the next build.
        Assert.Equal(CircuitBuildStep.Create, error.LastStep);
        Assert.Contains("ResourceLimit", error.Message, StringComparison.Ordinal);
        Assert.True(refusing.Circuits >= 3, $"{refusing.Circuits} CREATE2 reached the guard");
        Assert.Null(guards.NextRetryAt);
        Assert.Equal(statuses[0].Id, guards.Primary[0]);
    }

    [Fact]
    public async Task A_relay_that_could_not_be_reached_by_an_extension_is_passed_over_by_the_next_attempt()
    {
        await using var network = await RelayNetwork.StartAsync(3);

        // A dead relay (a closed port) that is Fast and far heavier than the others: the first middle drawn.
        var (live, dead, consensus) = WithHeavyDeadRelay(network);

        using var meters = new TestMeterFactory();
        using var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }), new Random(4));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        var unreachable = new RecentlyUnreachableRelays(TimeProvider.System, TimeSpan.FromMinutes(1));
        await using var builder = new CircuitBuilder(new SwappableConsensusSource { Value = consensus }, links, new PathSelector(picker, guards, unreachable), guards, new CircuitBuilderOptions(), TimeProvider.System);

        var built = await builder.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);

        Assert.True(unreachable.IsAvoided(dead.Id), "the dead relay was drawn, failed, and is remembered");
        Assert.DoesNotContain(dead.Id, built.Path.Select(r => r.Id));
        Assert.Null(guards.NextRetryAt);
        await built.Circuit.CloseAsync();
    }

    [Fact]
    public async Task PB01_a_guard_whose_circuits_fail_past_it_is_judged_by_path_bias_and_logged()
    {
        await using var network = await RelayNetwork.StartAsync(3);

        // Relay 0, the only Guard, completes every CREATE2, but nearly every path then extends to a dead relay (a closed
        // port, far heavier than the rest), so the circuits past the guard fail, as a guard dropping them would make them.
        var (live, _, consensus) = WithHeavyDeadRelay(network);

        using var meters = new TestMeterFactory();
        using var logs = new LogCapture();
        using var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }), new Random(4));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        var options = new CircuitBuilderOptions { MaxAttempts = 1, PoolSize = 0, PathBiasMinCircuits = 20, PathBiasScaleCircuits = 40 };
        await using var builder = new CircuitBuilder(
            new SwappableConsensusSource { Value = consensus }, links, new PathSelector(picker, guards), guards, options, TimeProvider.System, logs.CreateLogger<CircuitBuilder>());

        var completed = 0;
        for (var i = 0; i < 30; i++)
        {
            try
            {
                var built = await builder.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);
                completed++;
                await built.Circuit.CloseAsync();
            }
            catch (CircuitBuildException e)
            {
                Assert.Equal(CircuitBuildStep.Extend, e.LastStep);
            }
        }

        // Every build got past the guard and counted; the guard stays the client's, and the share is logged.
        var counts = builder.PathBias.Of(live[0].Id);
        Assert.Equal(30, counts.Circuits);
        Assert.Equal(completed, counts.Completed);
        Assert.Equal(PathBiasLevel.Extreme, counts.Level);
        Assert.Contains(logs.Lines, l => l.Id.Id == 5112 && l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Null(guards.NextRetryAt);
        Assert.Equal(live[0].Id, guards.Primary[0]);
    }

    [Fact]
    public async Task With_every_guard_down_the_build_fails_with_the_step_and_the_reason()
    {
        var dead = SyntheticConsensus.Relay("dead", "127.0.0.1", SyntheticConsensus.AllFlags, 10, (ushort)ClosedPort());
        var others = Enumerable.Range(0, 3).Select(i => SyntheticConsensus.Relay("m" + i, $"127.{20 + i}.0.1", SyntheticConsensus.AllFlags & ~RelayFlags.Guard, 10)).ToList();
        var consensus = TestConsensus.Build([dead, .. others]);
        using var meters = new TestMeterFactory();
        using var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions()));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        await using var builder = new CircuitBuilder(new SwappableConsensusSource { Value = consensus }, links, new PathSelector(picker, guards), guards, new CircuitBuilderOptions(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<CircuitBuildException>(() => builder.GetAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitPurpose.General, error.Purpose);
        Assert.Equal(CircuitBuildStep.Path, error.LastStep);
        Assert.Contains("no guard is usable", error.Message, StringComparison.Ordinal);
    }

    // The network's relays with relay 0 the only Guard, beside a dead relay (a closed port) that is Fast, not a Guard,
    // and far heavier than the rest, so nearly every middle or last hop drawn; every relay holds that consensus.
    private static (List<RelayStatus> Live, RelayStatus Dead, Consensus Consensus) WithHeavyDeadRelay(RelayNetwork network)
    {
        var live = Enumerable.Range(0, network.Relays.Count).Select(network.StatusOf)
            .Select((s, i) => i == 0 ? s : new RelayStatus(s.Id, s.Nickname, s.Addresses, s.LinkKey, s.CircuitHandshakeKey, s.Flags & ~RelayFlags.Guard, s.BandwidthWeight)).ToList();
        var dead = SyntheticConsensus.Relay("dead", "127.0.0.1", SyntheticConsensus.AllFlags & ~RelayFlags.Guard, 1_000_000, (ushort)ClosedPort());
        var consensus = TestConsensus.Build([.. live, dead]);
        foreach (var relay in network.Relays)
        {
            relay.Consensus.Value = consensus;
        }

        return (live, dead, consensus);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
