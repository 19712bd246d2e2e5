using System.Diagnostics;
using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.DirectoryAuthority.Reachability;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

public sealed class ReachabilityTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static RelayDescriptor Listed(byte n, ushort port)
    {
        var store = new DescriptorStore(new DescriptorStoreOptions(), new FakeTimeProvider(s_now));
        var result = store.Submit(Descriptor(n, s_now, ip: "127.0.0.1", port: port), IPAddress.Loopback);
        Assert.True(result.IsAccepted, result.Rejection.ToString());
        return result.Descriptor;
    }

    private static RelayReachability Tester(TimeSpan? timeout = null, int parallelism = 4) =>
        new(TestLinks.Runtime(link: o => o.HandshakeTimeout = TimeSpan.FromSeconds(10)), timeout ?? TimeSpan.FromSeconds(10), parallelism);

    [Fact]
    public async Task A_relay_that_answers_with_its_listed_key_is_reachable()
    {
        await using var relay = new LinkResponder(RelayLinkKey(1));
        var result = await Tester().ProbeAsync(Listed(1, relay.Port)).WaitAsync(TestTimeouts.Host);
        Assert.Equal(ReachabilityOutcome.Reachable, result.Outcome);
        Assert.True(result.IsReachable);
        await relay.WaitForHandshakesAsync(1);
        Assert.Equal(1, relay.Handshakes);
    }

    [Fact]
    public async Task A_relay_answering_with_another_key_is_not_reachable()
    {
        await using var impostor = new LinkResponder(RelayLinkKey(2)); // relay 1's descriptor lists another key
        var result = await Tester().ProbeAsync(Listed(1, impostor.Port)).WaitAsync(TestTimeouts.Host);
        Assert.Equal(ReachabilityOutcome.HandshakeFailed, result.Outcome);
        Assert.Equal(0, impostor.Handshakes);
    }

    [Fact]
    public async Task A_closed_port_is_not_reachable()
    {
        var result = await Tester().ProbeAsync(Listed(1, LoopbackPorts.Unused())).WaitAsync(TestTimeouts.Host);
        Assert.Equal(ReachabilityOutcome.ConnectFailed, result.Outcome);
        Assert.Equal("ConnectionRefused", result.Detail);
    }

    [Fact]
    public async Task A_silent_port_is_not_reachable_and_costs_only_the_timeout()
    {
        using var silent = new SilentListener();
        var watch = Stopwatch.StartNew();
        var result = await Tester(TimeSpan.FromMilliseconds(500)).ProbeAsync(Listed(1, silent.Port)).WaitAsync(TestTimeouts.Host);
        Assert.Equal(ReachabilityOutcome.TimedOut, result.Outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(9), $"took {watch.Elapsed}, the link's own 10 s handshake limit rather than the test's 500 ms");
    }

    [Fact]
    public async Task A_round_tests_each_relay_once_and_only_answering_relays_count()
    {
        await using var good = new LinkResponder(RelayLinkKey(1));
        await using var impostor = new LinkResponder(RelayLinkKey(9));
        using var silent = new SilentListener();
        var relays = new[] { Listed(1, good.Port), Listed(2, impostor.Port), Listed(3, LoopbackPorts.Unused()), Listed(4, silent.Port) };

        // A timeout generous for a busy machine: the silent relay costs all of it, in parallel with the others.
        var tester = Tester(TimeSpan.FromSeconds(5), parallelism: 2);

        var reachable = await tester.TestRoundAsync(s_now, relays, CancellationToken.None).WaitAsync(TestTimeouts.Host);
        Assert.Equal([relays[0].Identity], reachable);
        await good.WaitForHandshakesAsync(1);
        Assert.Equal(1, good.Handshakes);

        // The same round again: answered from the round's results, nobody is contacted.
        reachable = await tester.TestRoundAsync(s_now, relays, CancellationToken.None).WaitAsync(TestTimeouts.Host);
        Assert.Equal([relays[0].Identity], reachable);
        Assert.Equal(1, good.Handshakes);

        // The next round tests again.
        reachable = await tester.TestRoundAsync(s_now.AddHours(1), relays[..1], CancellationToken.None).WaitAsync(TestTimeouts.Host);
        Assert.Equal([relays[0].Identity], reachable);
        await good.WaitForHandshakesAsync(2);
        Assert.Equal(2, good.Handshakes);
    }

    [Fact]
    public async Task Relays_not_tested_before_the_vote_is_due_are_not_reachable()
    {
        await using var good = new LinkResponder(RelayLinkKey(1));
        using var due = new CancellationTokenSource();
        await due.CancelAsync();
        var reachable = await Tester().TestRoundAsync(s_now, [Listed(1, good.Port)], due.Token).WaitAsync(TestTimeouts.Host);
        Assert.Empty(reachable);
    }

    [Fact]
    public void A_vote_lists_an_unreachable_relay_without_Running()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new DescriptorStore(new DescriptorStoreOptions(), clock);
        Assert.True(store.Submit(Descriptor(1, Start), IPAddress.Loopback).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start), IPAddress.Loopback).IsAccepted);
        using var key = Authority(1);
        var period = VotingPeriod.Next(Start, TimeSpan.FromHours(1));
        var document = VoteComposer.Compose(store, key, Entry(key, 1), period, new FlagThresholds(), [], Start, new HashSet<RelayId> { Relay(1).Id });

        var vote = ParseVote(document, [key.Id], Start);
        Assert.True(vote.TryGetRelay(Relay(1).Id, out var answered));
        Assert.True(answered.Flags.HasFlag(RelayFlags.Running));
        Assert.True(vote.TryGetRelay(Relay(2).Id, out var silent));
        Assert.False(silent.Flags.HasFlag(RelayFlags.Running));
        Assert.True(silent.Flags.HasFlag(RelayFlags.Valid));
    }
}
