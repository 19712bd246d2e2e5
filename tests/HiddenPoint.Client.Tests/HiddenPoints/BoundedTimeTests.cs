using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>
/// When the network swallows everything, every step still ends at its time limit with a typed result: on a fake clock,
/// so that the limits themselves are what is checked.
/// </summary>
public sealed class BoundedTimeTests
{
    [Fact]
    public async Task A_connect_whose_circuits_never_come_ends_timed_out_at_the_connect_timeout()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(4);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var circuits = new HangingCircuitProvider();
        var options = new ConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(40), DescriptorFetchTimeout = TimeSpan.FromSeconds(15) };
        var connector = new HiddenPointConnector(circuits, network.ConsensusSource, Options.Create(options), clock, NullLogger<HiddenPointConnector>.Instance);
        using var identity = HiddenPointIdentityKey.Generate();

        var connecting = connector.ConnectAsync(identity.IdentityPublicKey.ToHiddenId().ToString());
        var advanced = await AdvanceUntilDoneAsync(clock, connecting, TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<ConnectException>(() => connecting);
        Assert.Equal(ConnectStep.FetchDescriptor, error.Step);
        Assert.Equal(ConnectFailure.TimedOut, error.Failure);
        Assert.InRange(advanced, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(41));

        // Two HSDirs timed out after 15 s each; the third was cut off by the connect's own limit.
        Assert.Equal(3, circuits.Requests);
    }

    [Fact]
    public async Task When_no_hsdir_answers_within_its_fetch_timeout_the_connect_fails_as_unreachable_after_each_was_tried()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var circuits = new HangingCircuitProvider();
        var options = new ConnectOptions { ConnectTimeout = TimeSpan.FromMinutes(5), DescriptorFetchTimeout = TimeSpan.FromSeconds(10), MaxDescriptorFetchAttempts = 3 };
        var connector = new HiddenPointConnector(circuits, network.ConsensusSource, Options.Create(options), clock, NullLogger<HiddenPointConnector>.Instance);
        using var identity = HiddenPointIdentityKey.Generate();

        var connecting = connector.ConnectAsync(identity.IdentityPublicKey.ToHiddenId().ToString());
        var advanced = await AdvanceUntilDoneAsync(clock, connecting, TimeSpan.FromMinutes(10));

        var error = await Assert.ThrowsAsync<ConnectException>(() => connecting);
        Assert.Equal(ConnectFailure.HsDirsUnreachable, error.Failure);
        Assert.Equal(3, circuits.Requests);
        // Three limits of 10 s one after another; each next attempt may start a tick late on a busy machine.
        Assert.InRange(advanced, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(33));
    }

    [Fact]
    public async Task Every_upload_to_an_hsdir_that_never_answers_ends_timed_out_at_the_upload_timeout()
    {
        await using var network = await HiddenPointTestNetwork.StartAsync(8);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var identity = HiddenPointIdentityKey.Generate();
        using var expanded = identity.ToExpandedSecretKey();
        var options = new HostingOptions { UploadTimeout = TimeSpan.FromSeconds(20) };
        var circuits = new HangingCircuitProvider();
        using var publisher = new DescriptorPublisher(
            expanded, circuits, new HsDirViewSource(network.ConsensusSource), options, clock, NullLogger.Instance);
        using var introAuth = HsIntroAuthSigningKey.Generate();
        using var introEncryption = HsIntroEncryptionKey.Generate();
        var relay = network.StatusOf(5);
        var entry = new Protocol.HiddenPoints.HsIntroductionPoint(
            Client.HiddenPoints.RelayLinkSpecifiers.Of(relay), relay.CircuitHandshakeKey, new Crypto.Handshakes.HsIntroAuthKey(introAuth.PublicKey), introEncryption.Public);

        var view = HsDirView.Create(network.Consensus);
        var expected = view.UploadRings.Sum(ring => ring.StoreTargets(Crypto.HiddenPoints.KeyBlinding.BlindPublicKey(
            identity.IdentityPublicKey, ring.Period, Crypto.HiddenPoints.KeyBlindingLabels.Hpc)).Count);
        var publishing = publisher.PublishAsync([entry], CancellationToken.None);

        // Every upload has started its timeout and asked for its circuit before the clock moves: on a busy machine the
        // last could otherwise start seconds of fake time late.
        await Eventually.TrueAsync(() => circuits.Requests == expected, "every upload asked for its circuit");
        var advanced = await AdvanceUntilDoneAsync(clock, publishing, TimeSpan.FromMinutes(2));
        var results = await publishing;

        Assert.Equal(expected, results.Count);
        Assert.All(results, r => Assert.Equal(HsDirUploadOutcome.TimedOut, r.Outcome));
        Assert.InRange(advanced, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(21));
    }

    // Moves the fake clock a second at a time until the task ends; the time it took on that clock.
    private static async Task<TimeSpan> AdvanceUntilDoneAsync(FakeTimeProvider clock, Task task, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        var wallClock = DateTime.UtcNow + TestTimeouts.Step;
        while (!task.IsCompleted)
        {
            Assert.True(advanced < limit, $"still running after {advanced} on the fake clock");
            Assert.True(DateTime.UtcNow < wallClock, "still running on the wall clock");

            // Let the connect reach its next wait before the clock moves.
            await Task.WhenAny(task, Task.Delay(5));
            if (task.IsCompleted)
            {
                break;
            }

            clock.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
        }

        return advanced;
    }
}
