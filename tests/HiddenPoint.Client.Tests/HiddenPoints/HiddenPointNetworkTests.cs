using System.Diagnostics;
using System.Security.Cryptography;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>
/// A host and a client over eight real relay engines with the real hidden-point roles in this process; circuits come
/// from <see cref="FixedPathCircuitProviderFixture"/> (real circuits along fixed paths).
/// </summary>
public sealed class HiddenPointNetworkTests
{
    private static readonly TimeSpan Timeout = TestTimeouts.Step;

    [Fact]
    public async Task A_client_reaches_a_published_host_by_its_hidden_id_and_two_streams_carry_data_both_ways_at_once()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();
        await using var host = StartHost(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);

        // Each descriptor is at every HSDir its period's ring names for its blinded key.
        var view = HsDirView.Create(network.Consensus);
        foreach (var ring in view.UploadRings)
        {
            var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, ring.Period, KeyBlindingLabels.Hpc);
            var targets = ring.StoreTargets(blindedKey);
            Assert.NotEmpty(targets);
            foreach (var target in targets)
            {
                Assert.True(network.RelayWith(target.Id).HsDir.TryFetch(blindedKey.Bytes, out _), $"HSDir {target.Nickname} holds the descriptor of period {ring.Period.Number}");
            }
        }

        Assert.All(host.LastUploads, r => Assert.Equal(HsDirUploadOutcome.Stored, r.Outcome));

        var connector = Connector(circuits, network);
        var accepted = host.Connections.ReadAsync().AsTask();
        await using var connection = await connector.ConnectAsync(host.HiddenId.ToString()).WaitAsync(Timeout);
        await using var incoming = await accepted.WaitAsync(Timeout);

        var first = await OpenAsync(connection, incoming, 80);
        var second = await OpenAsync(connection, incoming, 443);
        var payloads = Enumerable.Range(1, 4).Select(seed => RandomBytes(300_000, seed)).ToArray();

        var transfers = new[]
        {
            Transfer(first.Client.Output, first.Host.Input, payloads[0]),
            Transfer(first.Host.Output, first.Client.Input, payloads[1]),
            Transfer(second.Client.Output, second.Host.Input, payloads[2]),
            Transfer(second.Host.Output, second.Client.Input, payloads[3]),
        };
        await Task.WhenAll(transfers).WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_host_gone_offline_is_a_typed_error_at_the_introduction_step_within_the_timeout()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();
        var host = StartHost(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);
        var hiddenId = host.HiddenId.ToString();
        await host.DisposeAsync();

        // The introduction points have seen the DESTROYs (so an INTRODUCE1 cannot still reach a closing circuit).
        await Eventually.TrueAsync(
            () => network.Relays.All(r => r.Engine.Circuits.All(c => c.Purpose != RelayCircuitPurpose.IntroductionPoint)), "the introduction circuits are gone at the relays");

        var options = new ConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(10) };
        var connector = new HiddenPointConnector(circuits, network.ConsensusSource, Options.Create(options), TimeProvider.System, NullLogger<HiddenPointConnector>.Instance);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ConnectException>(() => connector.ConnectAsync(hiddenId).WaitAsync(Timeout));

        Assert.Equal(ConnectStep.Introduce, error.Step);
        Assert.Equal(ConnectFailure.Offline, error.Failure);
        Assert.True(clock.Elapsed < options.ConnectTimeout, $"took {clock.Elapsed}");

        // Every introduction point was asked (the descriptor lists three), none delivered.
        Assert.Equal(3, circuits.Requests.Count(r => r.Purpose == CircuitPurpose.ClientIntroduction));
    }

    [Fact]
    public async Task When_the_introduction_point_tried_first_is_killed_the_client_introduces_itself_through_the_next()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();
        await using var host = StartHost(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);

        HiddenPointTestRelay? killed = null;
        circuits.BeforeBuild = async (purpose, lastHop) =>
        {
            if (purpose == CircuitPurpose.ClientIntroduction && killed is null)
            {
                killed = network.RelayWith(lastHop!.Id);
                await killed.KillAsync();
            }
        };

        var accepted = host.Connections.ReadAsync().AsTask();
        await using var connection = await Connector(circuits, network).ConnectAsync(host.HiddenId.ToString()).WaitAsync(Timeout);
        await using var incoming = await accepted.WaitAsync(Timeout);

        var introductions = circuits.Requests.Where(r => r.Purpose == CircuitPurpose.ClientIntroduction).Select(r => r.LastHop).ToList();
        Assert.Equal(2, introductions.Count);
        Assert.Equal(killed!.Keys.Id, introductions[0]);
        Assert.NotEqual(introductions[0], introductions[1]);

        var stream = await OpenAsync(connection, incoming, 7);
        await Transfer(stream.Client.Output, stream.Host.Input, RandomBytes(1_000, 9)).WaitAsync(Timeout);

        // The host lost that introduction point with the relay: it sets up another and uploads descriptors without it.
        var view = HsDirView.Create(network.Consensus);
        var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, view.FetchPeriod, KeyBlindingLabels.Hpc);
        var hsDir = network.RelayWith(view.FetchRing.StoreTargets(blindedKey).First(r => r.Id != killed.Keys.Id).Id);
        await Eventually.TrueAsync(
            () => host.EstablishedIntroductionPoints == 3 && ListedIntroductionPoints(hsDir, identity, view.FetchPeriod) is { Count: 3 } listed && !listed.Contains(killed.Keys.Id),
            "three introduction points again, none of them the killed relay, in the descriptor the HSDir holds");
    }

    [Fact]
    public async Task A_replayed_introduce2_is_processed_once()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();
        await using var host = StartHost(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);

        // The client's steps by hand, so that the same INTRODUCE1 can go out twice.
        var view = HsDirView.Create(network.Consensus);
        var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, view.FetchPeriod, KeyBlindingLabels.Hpc);
        var hsDir = await circuits.GetAsync(CircuitPurpose.HsDir, view.FetchRing.FetchCandidates(blindedKey)[0], default);
        var (status, document) = await HsDirRequests.FetchAsync(hsDir.Circuit, blindedKey, default).WaitAsync(Timeout);
        await hsDir.Circuit.DisposeAsync();
        Assert.Equal(DirectoryStatus.Ok, status);
        Assert.True(HiddenPointDescriptor.TryOpen(document, identity.IdentityPublicKey, view.FetchPeriod, DateTimeOffset.UtcNow, out _, out var points, out _));

        await using var rendezvous = (await circuits.GetAsync(CircuitPurpose.ClientRendezvous, null, default)).Circuit;
        var cookie = RandomNumberGenerator.GetBytes(HiddenPointWire.RendezvousCookieLength);
        await rendezvous.RequestAsync(rendezvous.LastHop, new EstablishRendezvousMessage(cookie), RelayCommandSet.Of(RelayCommand.RendezvousEstablished)).WaitAsync(Timeout);
        var point = points[0];
        var subcredential = KeyBlinding.ComputeSubcredential(identity.IdentityPublicKey, blindedKey, KeyBlindingLabels.Hpc);
        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Hpc, point.AuthKey, point.EncryptionKey, subcredential, out var handshake, out _));
        using (handshake)
        {
            var introduce1 = IntroduceRequest.Create(handshake, point.AuthKey, cookie, network.StatusOf(3));
            var channelBinding = new byte[CircuitKeySchedule.ChannelBindingLength];
            var joined = rendezvous.AwaitRendezvousAsync(reply => IntroduceRequest.Finish(handshake, reply, channelBinding));
            Assert.True(network.Consensus.TryGetRelay(point.LinkSpecifiers.Identity, out var introductionPoint));

            // The introduction point forwards each INTRODUCE1 (one per circuit) as the same INTRODUCE2 bytes.
            for (var i = 0; i < 2; i++)
            {
                await using var introduction = (await circuits.GetAsync(CircuitPurpose.ClientIntroduction, introductionPoint, default)).Circuit;
                var ack = await introduction.RequestAsync(introduction.LastHop, introduce1, RelayCommandSet.Of(RelayCommand.IntroduceAck)).WaitAsync(Timeout);
                Assert.True(ack.TryDecode<IntroduceAckMessage>(out var message, out _));
                Assert.Equal(IntroduceAckStatus.Success, message.Status);
            }

            await joined.WaitAsync(Timeout);
            await Eventually.TrueAsync(() => host.IntroductionsReplayed == 1, "the replay is seen");
            Assert.Equal(1, host.IntroductionsAccepted);
            Assert.Equal(0, host.IntroductionsRefused);
            await using var connection = await host.Connections.ReadAsync().AsTask().WaitAsync(Timeout);
            Assert.False(host.Connections.TryRead(out _));

            // Both ends read the same channel binding from the key stream, and it is not all zeros.
            Assert.Equal(channelBinding, connection.ChannelBinding.ToArray());
            Assert.Contains(channelBinding, b => b != 0);
        }
    }

    [Fact]
    public async Task An_hsdir_that_missed_the_upload_is_retried_alone_until_it_stores_the_descriptor()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();

        // One HSDir of the clients' period cannot be reached for 3 s from the first upload to it: every full round
        // (one per change of the introduction points while they come up) misses it, and only a retry can reach it.
        var view = HsDirView.Create(network.Consensus);
        var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, view.FetchPeriod, KeyBlindingLabels.Hpc);
        var targets = view.FetchRing.StoreTargets(blindedKey);
        var unreachable = targets[0].Id;
        var unreachableUntil = 0L;
        var refusals = 0;
        circuits.BeforeBuild = (purpose, lastHop) =>
        {
            if (purpose == CircuitPurpose.HsDir && lastHop!.Id == unreachable)
            {
                Interlocked.CompareExchange(ref unreachableUntil, Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3, 0);
                if (Stopwatch.GetTimestamp() < Volatile.Read(ref unreachableUntil))
                {
                    Interlocked.Increment(ref refusals);
                    throw new CircuitBuildException(purpose, 1, "This HSDir is unreachable for now.", null);
                }
            }

            return ValueTask.CompletedTask;
        };

        await using var host = StartHostRetryingMissedUploads(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);

        await Eventually.TrueAsync(() => network.RelayWith(unreachable).HsDir.TryFetch(blindedKey.Bytes, out _), "the HSDir that missed the upload holds the descriptor");
        Assert.True(Volatile.Read(ref refusals) >= 1, "the HSDir refused at first");

        // The host records the retry's answers once every upload of the retry has ended, a moment after the HSDir stored.
        await Eventually.TrueAsync(
            () => host.LastUploads.Any(r => r.HsDir == unreachable && r.Period == view.FetchPeriod.Number && r.Outcome == HsDirUploadOutcome.Stored),
            "the host's last answers show the retry stored");

        // Every other HSDir was asked once per period it serves in each full round; the one that missed was asked more:
        // the retries went to it alone.
        var asked = AskedPerPeriodServed(circuits, view, identity);
        var rounds = asked.Where(e => e.Key != unreachable).Select(e => e.Value).Distinct().ToList();
        Assert.True(rounds.Count == 1 && rounds[0] >= 1, $"the reachable HSDirs were asked {string.Join(", ", rounds)} times per period");
        Assert.True(asked[unreachable] > rounds[0], $"the HSDir that missed was asked {asked[unreachable]} times per period in {rounds[0]} rounds");
    }

    [Fact]
    public async Task An_hsdir_whose_consensus_lags_answers_not_responsible_and_is_asked_again_until_it_stores_the_descriptor()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();

        // One HSDir of the clients' period still holds a consensus from before it was listed: it counts itself
        // responsible for no blinded key and answers NotResponsible until it takes the network's consensus.
        var view = HsDirView.Create(network.Consensus);
        var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, view.FetchPeriod, KeyBlindingLabels.Hpc);
        var lagging = network.RelayWith(view.FetchRing.StoreTargets(blindedKey)[0].Id);
        lagging.Hold(network.ConsensusWithout(lagging));

        await using var host = StartHostRetryingMissedUploads(identity, circuits, network);
        await host.FirstPublished.WaitAsync(Timeout);
        Assert.Contains(host.LastUploads, r => r.HsDir == lagging.Keys.Id && r.Status == DirectoryStatus.NotResponsible);

        // Its refusal may change, so it is asked again alone (full rounds ask every HSDir once per period it serves).
        bool AskedAgainAlone()
        {
            var asked = AskedPerPeriodServed(circuits, view, identity);
            return asked.TryGetValue(lagging.Keys.Id, out var times) && asked.Where(a => a.Key != lagging.Keys.Id).All(a => a.Value < times);
        }

        await Eventually.TrueAsync(AskedAgainAlone, "the lagging HSDir asked again alone");
        Assert.False(lagging.HsDir.TryFetch(blindedKey.Bytes, out _));

        // It catches up: a retry (not a full round, an hour away) stores the descriptor there.
        lagging.Hold(network.Consensus);
        await Eventually.TrueAsync(() => lagging.HsDir.TryFetch(blindedKey.Bytes, out _), "the HSDir that caught up holds the descriptor");
    }

    [Fact]
    public async Task CR04_with_every_hsdir_out_of_reach_the_host_warns_and_reports_degraded_then_publishes_soon_after_they_return()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        await using var circuits = new FixedPathCircuitProviderFixture(network);
        using var identity = HiddenPointIdentityKey.Generate();
        using var logs = new LogCapture();

        // No circuit to any HSDir can be had (TEST-MATRIX CR-04's blackhole, at the circuit level) until released.
        var blackholed = 1;
        circuits.BeforeBuild = (purpose, lastHop) => purpose == CircuitPurpose.HsDir && Volatile.Read(ref blackholed) == 1
            ? throw new CircuitBuildException(purpose, 1, "The HSDirs are out of reach.", null)
            : ValueTask.CompletedTask;
        var options = new HostingOptions
        {
            PublishSettleDelay = TimeSpan.FromMilliseconds(200),
            IntroductionRetryDelay = TimeSpan.FromMilliseconds(50),
            PublishRetryInterval = TimeSpan.FromSeconds(1),
            UploadTimeout = TimeSpan.FromSeconds(1),
        };
        await using var host = new HostedHiddenPoint(identity, circuits, network.ConsensusSource, Options.Create(options), TimeProvider.System, logs.CreateLogger<HostedHiddenPoint>());
        host.Start();

        // The alarm: Warning 5304 for a round that stored nothing, and the status says degraded, never stored.
        await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Id.Id == 5304 && l.Level == LogLevel.Warning), "the warning that no HSDir stored the descriptor");
        await Eventually.TrueAsync(() => host.Publication.Degraded, "the publication reported degraded");
        Assert.Equal((0, (DateTimeOffset?)null), (host.Publication.Copies, host.Publication.LastStoredAt));
        Assert.False(host.FirstPublished.IsCompleted);

        // Released: the next round (PublishRetryInterval after the last) stores it, and degraded clears.
        var released = Stopwatch.GetTimestamp();
        Volatile.Write(ref blackholed, 0);
        await host.FirstPublished.WaitAsync(Timeout);
        Assert.True(Stopwatch.GetElapsedTime(released) < TimeSpan.FromSeconds(5), $"published {Stopwatch.GetElapsedTime(released).TotalSeconds:0.0} s after the release");
        Assert.False(host.Publication.Degraded);
        Assert.True(host.Publication.Copies > 0);
        Assert.NotNull(host.Publication.LastStoredAt);
    }

    // A host whose full rounds come at a change of its introduction points and otherwise an hour apart: what an HSDir
    // is asked between them is a retry of a missed upload (every PublishRetryInterval, 1 s, doubling).
    private static HostedHiddenPoint StartHostRetryingMissedUploads(HiddenPointIdentityKey identity, ICircuitProvider circuits, HiddenPointTestNetwork network)
    {
        var options = new HostingOptions
        {
            PublishSettleDelay = TimeSpan.FromMilliseconds(500),
            IntroductionRetryDelay = TimeSpan.FromMilliseconds(50),
            PublishRetryInterval = TimeSpan.FromSeconds(1),
            RepublishInterval = TimeSpan.FromHours(1),
        };
        var host = new HostedHiddenPoint(identity, circuits, network.ConsensusSource, Options.Create(options), TimeProvider.System, NullLogger<HostedHiddenPoint>.Instance);
        host.Start();
        return host;
    }

    // How many HSDir circuits went to each HSDir, per period whose ring names it for the host: a full round asks each once.
    private static Dictionary<RelayId, double> AskedPerPeriodServed(FixedPathCircuitProviderFixture circuits, HsDirView view, HiddenPointIdentityKey identity)
    {
        var served = view.UploadRings.SelectMany(ring => ring.StoreTargets(KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, ring.Period, KeyBlindingLabels.Hpc)))
            .GroupBy(r => r.Id).ToDictionary(g => g.Key, g => (double)g.Count());
        return circuits.Requests.Where(r => r.Purpose == CircuitPurpose.HsDir).GroupBy(r => r.LastHop!.Value)
            .ToDictionary(g => g.Key, g => g.Count() / served[g.Key]);
    }

    private static HostedHiddenPoint StartHost(HiddenPointIdentityKey identity, ICircuitProvider circuits, HiddenPointTestNetwork network)
    {
        var options = new HostingOptions { PublishSettleDelay = TimeSpan.FromMilliseconds(500), IntroductionRetryDelay = TimeSpan.FromMilliseconds(50) };
        var host = new HostedHiddenPoint(identity, circuits, network.ConsensusSource, Options.Create(options), TimeProvider.System, NullLogger<HostedHiddenPoint>.Instance);
        host.Start();
        return host;
    }

    private static List<RelayId>? ListedIntroductionPoints(HiddenPointTestRelay hsDir, HiddenPointIdentityKey identity, TimePeriod period)
    {
        var blindedKey = KeyBlinding.BlindPublicKey(identity.IdentityPublicKey, period, KeyBlindingLabels.Hpc);
        return hsDir.HsDir.TryFetch(blindedKey.Bytes, out var document)
            && HiddenPointDescriptor.TryOpen(document.Span, identity.IdentityPublicKey, period, DateTimeOffset.UtcNow, out _, out var points, out _)
            ? [.. points.Select(p => p.LinkSpecifiers.Identity)]
            : null;
    }

    private static HiddenPointConnector Connector(ICircuitProvider circuits, HiddenPointTestNetwork network) =>
        new(circuits, network.ConsensusSource, Options.Create(new ConnectOptions()), TimeProvider.System, NullLogger<HiddenPointConnector>.Instance);

    private static async Task<(Network.Streams.CircuitStream Client, Network.Streams.CircuitStream Host)> OpenAsync(
        HiddenPointConnection connection, IncomingHiddenPointConnection incoming, ushort port)
    {
        var opening = connection.OpenStreamAsync(port);
        var next = await incoming.IncomingStreams.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(port, next.VirtualPort);
        var atHost = await next.AcceptAsync().WaitAsync(Timeout);
        return (await opening.WaitAsync(Timeout), atHost);
    }

    private static async Task Transfer(System.IO.Pipelines.PipeWriter from, System.IO.Pipelines.PipeReader to, byte[] payload)
    {
        var sending = StreamIo.WriteAllAsync(from, payload);
        Assert.Equal(payload, await StreamIo.ReadExactlyAsync(to, payload.Length));
        await sending;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
