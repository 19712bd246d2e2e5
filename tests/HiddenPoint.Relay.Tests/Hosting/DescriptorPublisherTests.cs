using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Authorities;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Hosting;

public sealed class DescriptorPublisherTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ListLogger<DescriptorPublisher> _log = new();

    public void Dispose() => _folder.Dispose();

    private (DescriptorPublisher Publisher, RelayKeyStore Keys, AuthorityClient Client) Create(
        RelayOptions options, TimeProvider clock, int boundPort = 9001, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var keys = new RelayKeyStore(Microsoft.Extensions.Options.Options.Create(options), clock, new ListLogger<RelayKeyStore>());
        var listener = new RelayListenerState();
        listener.SetBound(new IPEndPoint(IPAddress.Loopback, boundPort));
        var client = new AuthorityClient(Microsoft.Extensions.Options.Options.Create(options));
        return (new DescriptorPublisher(new FixedOptions<RelayOptions>(options), keys, listener, client, clock, _log, meters), keys, client);
    }

    private static Task<PublishRound> NextRound(DescriptorPublisher publisher)
    {
        var round = new TaskCompletionSource<PublishRound>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, PublishRound r)
        {
            publisher.RoundFinished -= Handler;
            round.TrySetResult(r);
        }

        publisher.RoundFinished += Handler;
        return round.Task;
    }

    [Fact]
    public async Task Every_authority_gets_a_descriptor_that_verifies_and_lists_the_options_and_keys()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using var familyMember = RelayIdentityKey.Generate();
        await using var first = new LocalAuthority(TimeProvider.System);
        await using var second = new LocalAuthority(TimeProvider.System);
        var options = HostingFixtures.Options(
            _folder.Path, ("auth1", first.Address, AuthorityIdentityKey.Generate().Id), ("auth2", second.Address, AuthorityIdentityKey.Generate().Id));
        options.AdvertisedAddress = "127.3.0.1";
        options.Bandwidth = 123_456;
        // The operator's one list for all its relays names this relay too: its descriptor leaves it out.
        options.Family = [familyMember.Id.ToString(), identity.Id.ToString()];
        var (publisher, keys, client) = Create(options, TimeProvider.System, boundPort: 9111);
        using var _ = keys;
        using var __ = client;
        var round = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            var result = await TestTimeouts.Within(round, TestTimeouts.Host);
            Assert.All(result.Results, r => Assert.Equal(UploadOutcome.Accepted, r.Result.Outcome));
            Assert.Equal(2, result.Results.Count);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }

        foreach (var authority in new[] { first, second })
        {
            var descriptor = Assert.Single(authority.Accepted);
            Assert.Equal(identity.Id, descriptor.Identity);
            Assert.Equal("TestRelay", descriptor.Nickname);
            Assert.Equal("127.3.0.1:9111", Assert.Single(descriptor.Addresses).ToString());
            Assert.Equal(123_456u, descriptor.Bandwidth);
            Assert.Equal(familyMember.Id, Assert.Single(descriptor.Family));
            Assert.Equal(keys.Current.LinkKey.Public, descriptor.LinkKey);
            Assert.Equal(keys.Current.CircuitHandshakeKey.Public, descriptor.CircuitHandshakeKey);
            Assert.Equal(Protocol.Documents.DocumentTime.FloorToSecond(keys.Current.LinkKeyExpires), descriptor.LinkKeyExpires);
            Assert.Equal(Protocol.Documents.DocumentTime.FloorToSecond(keys.Current.CircuitHandshakeKeyExpires), descriptor.CircuitHandshakeKeyExpires);
            Assert.StartsWith("hpc-relay/", descriptor.Software, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_key_rotation_is_published_at_once_with_the_new_key()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var authority = new LocalAuthority(clock);
        var options = HostingFixtures.Options(_folder.Path, ("auth1", authority.Address, AuthorityIdentityKey.Generate().Id));
        options.LinkKeyLifetime = TimeSpan.FromSeconds(100);
        options.LinkKeyOverlap = TimeSpan.FromSeconds(30);
        var (publisher, keys, client) = Create(options, clock);
        using var _ = keys;
        using var __ = client;
        var firstRound = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await TestTimeouts.Within(firstRound, TestTimeouts.Host);
            var firstKey = Assert.Single(authority.Accepted).LinkKey;
            var secondRound = NextRound(publisher);
            clock.Advance(TimeSpan.FromSeconds(100));
            var result = await TestTimeouts.Within(secondRound, TestTimeouts.Host);
            Assert.Equal(UploadOutcome.Accepted, Assert.Single(result.Results).Result.Outcome);
            var latest = authority.Accepted.Last();
            Assert.NotEqual(firstKey, latest.LinkKey);
            Assert.Equal(keys.Current.LinkKey.Public, latest.LinkKey);
            Assert.True(latest.Published > authority.Accepted.First().Published);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_refusal_is_logged_with_its_reason_and_meaning_and_not_retried()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        await using var authority = new LocalAuthority(TimeProvider.System) { RefuseWith = "PublishedInFuture" };
        var options = HostingFixtures.Options(_folder.Path, ("auth1", authority.Address, AuthorityIdentityKey.Generate().Id));
        var (publisher, keys, client) = Create(options, TimeProvider.System);
        using var _ = keys;
        using var __ = client;
        var round = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            var result = Assert.Single((await TestTimeouts.Within(round, TestTimeouts.Host)).Results);
            Assert.Equal(UploadOutcome.Refused, result.Result.Outcome);
            Assert.Equal(1, authority.Uploads);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }

        var line = Assert.Single(_log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("auth1", line.Message, StringComparison.Ordinal);
        Assert.Contains("PublishedInFuture", line.Message, StringComparison.Ordinal);
        Assert.Contains("clock", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_authority_that_fails_is_retried_until_it_accepts_while_the_others_are_done()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        await using var failing = new LocalAuthority(TimeProvider.System) { FailWith = 503 };
        await using var healthy = new LocalAuthority(TimeProvider.System);
        var options = HostingFixtures.Options(
            _folder.Path, ("auth1", failing.Address, AuthorityIdentityKey.Generate().Id), ("auth2", healthy.Address, AuthorityIdentityKey.Generate().Id));
        var (publisher, keys, client) = Create(options, TimeProvider.System);
        using var _ = keys;
        using var __ = client;
        var secondAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        failing.Uploaded += () =>
        {
            if (Volatile.Read(ref failing.Uploads) == 2)
            {
                secondAttempt.TrySetResult();
            }
        };
        var round = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            // The first retry comes 1–2 s after the failure; the authority recovers before the third attempt.
            await secondAttempt.Task.WaitAsync(TestTimeouts.Host);
            failing.FailWith = null;
            var result = await TestTimeouts.Within(round, TestTimeouts.Host);
            Assert.All(result.Results, r => Assert.Equal(UploadOutcome.Accepted, r.Result.Outcome));
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }

        Assert.Single(healthy.Accepted);
        Assert.Single(failing.Accepted);
        Assert.True(failing.Uploads >= 3);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("HTTP 503", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Busy")]
    [InlineData("RateLimited")]
    public async Task An_authority_that_answers_not_now_is_retried_until_it_accepts(string reason)
    {
        // Relays behind one address (a testnet on loopback, a shared NAT) upload at once; the authority's per-source
        // cap then answers 429 Busy with Retry-After, which must not leave the relay out until the next interval.
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        await using var authority = new LocalAuthority(TimeProvider.System) { RefuseWith = reason };
        var options = HostingFixtures.Options(_folder.Path, ("auth1", authority.Address, AuthorityIdentityKey.Generate().Id));
        var (publisher, keys, client) = Create(options, TimeProvider.System);
        using var _ = keys;
        using var __ = client;
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        authority.Uploaded += () => firstAttempt.TrySetResult();
        var round = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await firstAttempt.Task.WaitAsync(TestTimeouts.Host);
            authority.RefuseWith = null;
            var result = Assert.Single((await TestTimeouts.Within(round, TestTimeouts.Host)).Results);
            Assert.Equal(UploadOutcome.Accepted, result.Result.Outcome);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }

        Assert.Single(authority.Accepted);
        Assert.True(authority.Uploads >= 2);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_authority_that_does_not_listen_is_reported_and_retried()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        var options = HostingFixtures.Options(_folder.Path, ("auth1", "127.0.0.1:" + LoopbackPorts.Unused(), AuthorityIdentityKey.Generate().Id));
        var (publisher, keys, client) = Create(options, TimeProvider.System);
        using var _ = keys;
        using var __ = client;
        var retrying = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _log.Logged += line =>
        {
            if (line.Level == LogLevel.Warning)
            {
                retrying.TrySetResult(line.Message);
            }
        };
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            var message = await TestTimeouts.Within(retrying.Task, TestTimeouts.Host);
            Assert.Contains("auth1", message, StringComparison.Ordinal);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None).WaitAsync(TestTimeouts.Host);
        }

        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("Retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uploads_are_counted_by_outcome_on_the_relay_meter()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        await using var accepting = new LocalAuthority(TimeProvider.System);
        await using var refusing = new LocalAuthority(TimeProvider.System) { RefuseWith = "TooOld" };
        var options = HostingFixtures.Options(
            _folder.Path, ("auth1", accepting.Address, AuthorityIdentityKey.Generate().Id), ("auth2", refusing.Address, AuthorityIdentityKey.Generate().Id));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var counted = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Diagnostics.RelayTelemetry.MeterName && instrument.Name == "hpc.relay.descriptor.uploads")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => counted.Add((string)tags[0].Value! + ":" + value));
        listener.Start();
        var (publisher, keys, client) = Create(options, TimeProvider.System, meters: meters);
        using var _ = keys;
        using var __ = client;
        var round = NextRound(publisher);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await TestTimeouts.Within(round, TestTimeouts.Host);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }

        Assert.Equal(["accepted:1", "refused:1"], counted.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(30)]
    public void Backoff_doubles_within_its_cap_and_is_jittered(int attempt)
    {
        var cap = TimeSpan.FromMinutes(10);
        var ceiling = TimeSpan.FromSeconds(Math.Min(2 * Math.Pow(2, attempt), 300));
        for (var i = 0; i < 50; i++)
        {
            var delay = DescriptorPublisher.Backoff(attempt, cap);
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.InRange(DescriptorPublisher.Backoff(30, TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3));
    }
}
