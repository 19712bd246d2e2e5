using System.Diagnostics.Metrics;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Authorities;

/// <summary>
/// Keeps the <see cref="ConsensusHolder"/> supplied. At start it offers the consensus cached in the data directory (a
/// cache that does not verify is ignored), then downloads <c>GET /hpc/consensus</c> from the authorities in a random
/// order until one answers with a document the holder takes or already holds. The next download is at a random moment
/// in the first half of the span from the held consensus' fresh-until to its valid-until, and never later than
/// <see cref="RelayOptions.ConsensusFetchInterval"/>; when no authority helps, it retries with exponential backoff
/// and jitter. The holder writes each consensus it takes to the cache (<see cref="CacheFileName"/>) atomically.
/// </summary>
internal sealed class ConsensusFetcher : BackgroundService
{
    /// <summary>The cache file in the data directory.</summary>
    public const string CacheFileName = "cached-consensus";

    private readonly RelayOptions _options;
    private readonly ConsensusHolder _holder;
    private readonly AuthorityClient _client;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly RelayHostMetrics? _metrics;

    public ConsensusFetcher(
        IOptions<RelayOptions> options,
        ConsensusHolder holder,
        AuthorityClient client,
        TimeProvider timeProvider,
        ILogger<ConsensusFetcher> logger,
        IMeterFactory? meterFactory = null)
    {
        _metrics = meterFactory is null ? null : new RelayHostMetrics(meterFactory);
        _options = options.Value;
        _holder = holder;
        _client = client;
        _clock = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after each download round: true when the holder took a newer consensus.</summary>
    public event EventHandler<bool>? RoundFinished;

    /// <summary>Offers the cached consensus, if any. The holder checks it like a download and logs why a bad cache
    /// is ignored.</summary>
    internal ConsensusCacheLoad LoadCache()
    {
        var load = _holder.LoadCache();
        if (load.Status == ConsensusCacheStatus.Loaded)
        {
            RelayLog.CacheLoaded(_logger);
        }

        return load;
    }

    /// <summary>One round: authorities in random order until one gives a consensus the holder takes or holds.</summary>
    /// <returns>True when some authority answered usefully (the held consensus is the newest it has).</returns>
    internal async Task<bool> FetchOnceAsync(CancellationToken cancellationToken)
    {
        var authorities = _options.Authorities.ToArray();
        Random.Shared.Shuffle(authorities);
        foreach (var authority in authorities)
        {
            var fetched = await _client.GetConsensusAsync(authority, cancellationToken).ConfigureAwait(false);
            if (fetched.Document is null)
            {
                if (fetched.NoneYet)
                {
                    RelayLog.NoConsensusYet(_logger, authority.Nickname);
                }
                else
                {
                    RelayLog.FetchFailed(_logger, authority.Nickname, fetched.Failure);
                }

                _metrics?.Fetch("failed");
                continue;
            }

            var result = _holder.Offer(fetched.Document);
            if (result.Accepted)
            {
                RelayLog.ConsensusTaken(_logger, authority.Nickname);
                _metrics?.Fetch("taken");
                RoundFinished?.Invoke(this, true);
                return true;
            }

            if (result.NotNewer && result.ParseError == default && result.SignatureError == SignatureError.None)
            {
                RelayLog.ConsensusNotNewer(_logger, authority.Nickname);
                _metrics?.Fetch("not_newer");
                RoundFinished?.Invoke(this, false);
                return true;
            }

            RelayLog.ConsensusRefused(_logger, authority.Nickname, Describe(result));
            _metrics?.Fetch("refused");
        }

        RoundFinished?.Invoke(this, false);
        return false;
    }

    /// <summary>When to download next, or null when the held consensus gives no future moment.</summary>
    internal TimeSpan? NextFetchDelay(DateTimeOffset now)
    {
        var latest = _holder.Latest;
        if (latest is null)
        {
            return null;
        }

        var span = latest.ValidUntil - latest.FreshUntil;
        var at = latest.FreshUntil + (span / 2 * Random.Shared.NextDouble());
        var delay = at - now;
        if (delay <= TimeSpan.Zero)
        {
            return null;
        }

        return delay < _options.ConsensusFetchInterval ? delay : _options.ConsensusFetchInterval;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LoadCache();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var useful = await FetchOnceAsync(stoppingToken).ConfigureAwait(false);
            var next = useful ? NextFetchDelay(_clock.GetUtcNow()) : null;
            if (next is { } delay)
            {
                failures = 0;
            }
            else
            {
                delay = DescriptorPublisher.Backoff(failures++, _options.ConsensusFetchInterval);
            }

            RelayLog.NextFetch(_logger, delay);
            await Task.Delay(delay, _clock, stoppingToken).ConfigureAwait(false);
        }
    }

    private static string Describe(ConsensusOfferResult result) => result.ToString();
}
