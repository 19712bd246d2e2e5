using HiddenPoint.Client.Directory;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Directory;

/// <summary>The consensus cache's typed status and the refresh schedule, without a network.</summary>
public sealed class ClientDirectoryTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hpc-directory-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = AuthorityConsensusDownloader.CreateHttpClient(TimeSpan.FromSeconds(1), "hpc-client-tests");

    public void Dispose()
    {
        _http.Dispose();
        if (System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void A_valid_cache_is_loaded_a_stale_or_corrupt_one_is_refused_with_its_status()
    {
        var (consensus, document, signer) = SyntheticConsensus.Build([SyntheticConsensus.Relay("r1", "10.1.0.1", SyntheticConsensus.AllFlags, 1)]);
        System.IO.Directory.CreateDirectory(_folder);
        var cache = Path.Combine(_folder, ClientDirectoryOptions.CacheFileName);

        Assert.Equal(DirectoryCacheStatus.None, Create(signer, consensus.ValidAfter.AddMinutes(5)).LoadCache().Status);

        File.WriteAllBytes(cache, document);
        var loaded = Create(signer, consensus.ValidAfter.AddMinutes(5));
        Assert.Equal(DirectoryCacheStatus.Loaded, loaded.LoadCache().Status);
        Assert.Equal(ConsensusSourceKind.DiskCache, loaded.LastSource);

        var stale = Create(signer, consensus.ValidUntil + ConsensusValidity.DefaultGrace + TimeSpan.FromMinutes(1)).LoadCache();
        Assert.Equal(DirectoryCacheStatus.Stale, stale.Status);
        Assert.Contains("expired", stale.Message, StringComparison.Ordinal);

        Assert.Equal(DirectoryCacheStatus.NotYetValid, Create(signer, consensus.ValidAfter.AddHours(-2)).LoadCache().Status);

        var flipped = document.ToArray();
        flipped[flipped.Length / 3] ^= 1;
        File.WriteAllBytes(cache, flipped);
        var corrupt = Create(signer, consensus.ValidAfter.AddMinutes(5)).LoadCache();
        Assert.Equal(DirectoryCacheStatus.Corrupt, corrupt.Status);
        Assert.Contains("refused", corrupt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refreshes_fall_in_the_randomised_window_before_valid_until()
    {
        var (consensus, document, signer) = SyntheticConsensus.Build([SyntheticConsensus.Relay("r1", "10.1.0.1", SyntheticConsensus.AllFlags, 1)]);
        System.IO.Directory.CreateDirectory(_folder);
        File.WriteAllBytes(Path.Combine(_folder, ClientDirectoryOptions.CacheFileName), document);
        var now = consensus.ValidAfter.AddMinutes(5);
        var directory = Create(signer, now, new ClientDirectoryOptions { MaxRefreshInterval = TimeSpan.FromDays(1) });
        directory.LoadCache();

        // valid-after 0 h, fresh-until 1 h, valid-until 3 h: the window is 1 h 45 min to 2 h 52.5 min.
        var start = consensus.ValidAfter + TimeSpan.FromMinutes(105);
        var end = start + ((consensus.ValidUntil - start) * 7 / 8);
        for (var i = 0; i < 1_000; i++)
        {
            var at = now + directory.NextRefreshDelay(now)!.Value;
            Assert.InRange(at, start, end);
        }

        Assert.Equal(TimeSpan.Zero, directory.NextRefreshDelay(consensus.ValidUntil));
        Assert.Equal(TimeSpan.FromHours(1), Create(signer, now).NextRefreshDelayAfterLoad(now));
    }

    [Fact]
    public void The_signature_report_names_the_pinned_authorities_that_did_not_sign_the_consensus_in_use()
    {
        using var north = AuthorityIdentityKey.Generate();
        using var south = AuthorityIdentityKey.Generate();
        using var west = AuthorityIdentityKey.Generate();
        var start = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        // Two of three: more than half, so the consensus counts; west's signature is missing.
        var document = SyntheticConsensus.Document([SyntheticConsensus.Relay("r1", "10.1.0.1", SyntheticConsensus.AllFlags, 1)], [north, south, west], [north, south], start);
        System.IO.Directory.CreateDirectory(_folder);
        File.WriteAllBytes(Path.Combine(_folder, ClientDirectoryOptions.CacheFileName), document);
        var options = new ClientDirectoryOptions
        {
            Authorities =
            [
                new ClientAuthorityOptions { Nickname = "north", Address = "127.0.0.1:7000", Identity = north.Id.ToString() },
                new ClientAuthorityOptions { Nickname = "south", Address = "127.0.0.1:7001", Identity = south.Id.ToString() },
                new ClientAuthorityOptions { Nickname = "west", Address = "127.0.0.1:7002", Identity = west.Id.ToString() },
            ],
        };
        var clock = new FakeTimeProvider(start.AddMinutes(5));
        var holder = new ConsensusHolder(ClientDirectory.PinnedAuthorities(options), clock, cachePath: Path.Combine(_folder, ClientDirectoryOptions.CacheFileName));
        var directory = new ClientDirectory(options, holder, new AuthorityConsensusDownloader(_http, TimeSpan.FromSeconds(1)), null, clock);
        Assert.Null(directory.SignaturesOfLatest());

        Assert.Equal(DirectoryCacheStatus.Loaded, directory.LoadCache().Status);
        var report = directory.SignaturesOfLatest()!;
        Assert.Equal((2, 3, false), (report.Signers, report.Pinned, report.Complete));
        Assert.Equal(["west"], report.Missing);
    }

    [Fact]
    public void Options_without_authorities_or_with_a_bad_identity_are_refused_naming_the_option()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ClientDirectoryOptions().Validate());
        Assert.Contains("Authorities", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<OptionsValidationException>(() => new ClientDirectoryOptions
        {
            Authorities = [new ClientAuthorityOptions { Nickname = "a", Address = "127.0.0.1:7000", Identity = "nope" }],
        }.Validate());
        Assert.Contains("Authorities:0:Identity", error.Message, StringComparison.Ordinal);
    }

    private ClientDirectory Create(HiddenPoint.Crypto.Keys.AuthorityId signer, DateTimeOffset now, ClientDirectoryOptions? options = null)
    {
        options ??= new ClientDirectoryOptions();
        options.Authorities = [new ClientAuthorityOptions { Nickname = "auth0", Address = "127.0.0.1:9", Identity = signer.ToString() }];
        var clock = new FakeTimeProvider(now);
        var holder = new ConsensusHolder([signer], clock, cachePath: Path.Combine(_folder, ClientDirectoryOptions.CacheFileName));
        return new ClientDirectory(options, holder, new AuthorityConsensusDownloader(_http, TimeSpan.FromSeconds(1)), null, clock);
    }
}

internal static class ClientDirectoryTestExtensions
{
    /// <summary>The delay after loading the cache, capped by the default MaxRefreshInterval (1 h).</summary>
    public static TimeSpan? NextRefreshDelayAfterLoad(this ClientDirectory directory, DateTimeOffset now)
    {
        directory.LoadCache();
        return directory.NextRefreshDelay(now);
    }
}
