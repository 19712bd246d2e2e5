using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Authorities;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Hosting;

public sealed class ConsensusFetcherTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 28, 8, 0, 30, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(s_start);
    private readonly AuthorityIdentityKey _auth1 = AuthorityIdentityKey.Generate();
    private readonly AuthorityIdentityKey _auth2 = AuthorityIdentityKey.Generate();
    private readonly ListLogger<ConsensusFetcher> _log = new();

    public void Dispose()
    {
        _auth1.Dispose();
        _auth2.Dispose();
        _folder.Dispose();
    }

    private byte[] Consensus(DateTimeOffset validAfter, params AuthorityIdentityKey[] signers)
    {
        using var relay = RelayIdentityKey.Generate();
        using var link = LinkKey.Generate();
        using var circuit = CircuitHandshakeKey.Generate();
        var body = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter.AddHours(1),
            ValidUntil = validAfter.AddHours(3),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities =
            [
                new AuthorityEntry(_auth1.Id, "auth1", new RelayAddress(IPAddress.Parse("127.0.0.1"), 7000)),
                new AuthorityEntry(_auth2.Id, "auth2", new RelayAddress(IPAddress.Parse("127.0.0.2"), 7000)),
            ],
            Relays = [new RelayStatus(relay.Id, "Relay1", [new RelayAddress(IPAddress.Parse("127.1.0.1"), 9001)], link.Public, circuit.Public, RelayFlags.Running | RelayFlags.Valid, 100)],
        }.BuildBody(NetworkStatusKind.Consensus);
        return NetworkStatusBuilder.Assemble(body, signers.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k)));
    }

    private (ConsensusFetcher Fetcher, ConsensusHolder Holder, AuthorityClient Client) Create(params LocalAuthority[] authorities)
    {
        var options = HostingFixtures.Options(_folder.Path);
        options.Authorities = [.. authorities.Select((a, i) => new RelayAuthorityOptions { Nickname = "auth" + (i + 1), Address = a.Address, Identity = (i == 0 ? _auth1 : _auth2).Id.ToString() })];
        if (authorities.Length < 2)
        {
            options.Authorities.Add(new RelayAuthorityOptions { Nickname = "auth2", Address = "127.0.0.1:" + LoopbackPorts.Unused(), Identity = _auth2.Id.ToString() });
        }

        var holder = new ConsensusHolder(options.AuthorityIds(), _clock, logger: NullLogger<ConsensusHolder>.Instance, cachePath: Path.Combine(_folder.Path, ConsensusFetcher.CacheFileName));
        var client = new AuthorityClient(Microsoft.Extensions.Options.Options.Create(options));
        return (new ConsensusFetcher(Microsoft.Extensions.Options.Options.Create(options), holder, client, _clock, _log), holder, client);
    }

    [Fact]
    public async Task The_fetched_consensus_is_offered_taken_and_cached()
    {
        await using var authority = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, _auth2) };
        var (fetcher, holder, client) = Create(authority);
        using var _ = client;
        Assert.True(await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host));
        Assert.Equal(s_start.AddSeconds(-30), holder.Latest!.ValidAfter);
        Assert.Equal(authority.Consensus, File.ReadAllBytes(Path.Combine(_folder.Path, ConsensusFetcher.CacheFileName)));
        Assert.True(holder.TryGetUsable(out var usable, out var reason), reason.ToString());
        Assert.NotNull(usable);

        // The same consensus again is not newer: a useful answer, nothing changes.
        Assert.True(await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host));
        Assert.Equal(s_start.AddSeconds(-30), holder.Latest!.ValidAfter);
    }

    [Fact]
    public async Task An_authority_without_a_consensus_is_passed_over_for_the_next()
    {
        await using var empty = new LocalAuthority(_clock);
        await using var serving = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, _auth2) };
        var (fetcher, holder, client) = Create(empty, serving);
        using var _ = client;
        Assert.True(await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host));
        Assert.NotNull(holder.Latest);
        Assert.Equal(1, serving.ConsensusRequests);
        Assert.True(empty.ConsensusRequests <= 1);

        // An authority that has published nothing yet is normal while a network starts: not a warning.
        Assert.DoesNotContain(_log.Lines, line => line.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_consensus_without_a_majority_of_pinned_signatures_is_refused_and_named()
    {
        using var stranger = AuthorityIdentityKey.Generate();
        await using var authority = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, stranger) };
        var (fetcher, holder, client) = Create(authority);
        using var _ = client;
        Assert.False(await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host));
        Assert.Null(holder.Latest);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("auth1", StringComparison.Ordinal) &&
            l.Message.Contains("TooFewSignatures", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_cache_is_offered_at_start_and_a_corrupt_cache_is_ignored()
    {
        await using var authority = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, _auth2) };
        var (fetcher, _, client) = Create(authority);
        using (client)
        {
            Assert.True(await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host));
        }

        var (restarted, holder, client2) = Create(authority);
        using (client2)
        {
            Assert.Equal(ConsensusCacheStatus.Loaded, restarted.LoadCache().Status);
            Assert.Equal(s_start.AddSeconds(-30), holder.Latest!.ValidAfter);
        }

        var cache = Path.Combine(_folder.Path, ConsensusFetcher.CacheFileName);
        var bytes = File.ReadAllBytes(cache);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(cache, bytes);
        var (corrupt, emptyHolder, client3) = Create(authority);
        using (client3)
        {
            Assert.Equal(ConsensusCacheStatus.Refused, corrupt.LoadCache().Status);
            Assert.Null(emptyHolder.Latest);
        }
    }

    [Fact]
    public async Task The_next_fetch_falls_in_the_first_half_after_fresh_until_within_the_interval()
    {
        await using var authority = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, _auth2) };
        var (fetcher, holder, client) = Create(authority);
        using var _ = client;
        Assert.Null(fetcher.NextFetchDelay(_clock.GetUtcNow()));
        await TestTimeouts.Within(fetcher.FetchOnceAsync(CancellationToken.None), TestTimeouts.Host);
        var freshUntil = holder.Latest!.FreshUntil - _clock.GetUtcNow();
        for (var i = 0; i < 50; i++)
        {
            var delay = fetcher.NextFetchDelay(_clock.GetUtcNow());
            Assert.NotNull(delay);

            // Fresh-until is 59.5 min away and the interval (1 h) caps the upper end of the 1 h window after it.
            Assert.InRange(delay.Value, freshUntil, TimeSpan.FromHours(1));
        }

        // Past the window's start with nothing newer: no moment from the consensus, the caller backs off instead.
        Assert.Null(fetcher.NextFetchDelay(holder.Latest.ValidUntil));
    }

    [Fact]
    public async Task Running_as_a_service_fetches_at_start()
    {
        await using var authority = new LocalAuthority(_clock) { Consensus = Consensus(s_start.AddSeconds(-30), _auth1, _auth2) };
        var (fetcher, holder, client) = Create(authority);
        using var _ = client;
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fetcher.RoundFinished += (_, took) =>
        {
            if (took)
            {
                taken.TrySetResult();
            }
        };
        await fetcher.StartAsync(CancellationToken.None);
        try
        {
            await taken.Task.WaitAsync(TestTimeouts.Host);
            Assert.NotNull(holder.Latest);
        }
        finally
        {
            await fetcher.StopAsync(CancellationToken.None).WaitAsync(TestTimeouts.Host);
        }
    }
}
