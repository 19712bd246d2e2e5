using System.Security.Cryptography;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Directory;

/// <summary>
/// Gets and keeps the client's consensus (docs/client.md §1). At start the cache file is offered to the
/// <see cref="ConsensusHolder"/>, which checks it like any download (a stale or corrupt cache is refused, with a typed
/// <see cref="CacheStatus"/> and a logged reason). Without a usable consensus the first one comes from an authority over
/// HTTP (authorities in random order); once one is held, refreshes go through a guard acting as directory cache
/// (DIRECTORY_REQUEST on a one-hop circuit, with the digest of the held consensus so that an unchanged one costs only
/// NotModified), and fall back to the authorities when the guard cannot help. Every consensus is verified by the
/// holder, which writes each one it takes to the cache file atomically.
/// </summary>
/// <remarks>
/// Refreshes follow Tor's randomised window: at a uniformly random moment between fresh-until + ¾·(fresh-until −
/// valid-after) and valid-until − ⅛·(the rest), so that clients do not all ask at once, never later than
/// <see cref="ClientDirectoryOptions.MaxRefreshInterval"/>. One task (<see cref="RunAsync"/>) owns the schedule.
/// </remarks>
public sealed class ClientDirectory
{
    private readonly ClientDirectoryOptions _options;
    private readonly ConsensusHolder _holder;
    private readonly AuthorityConsensusDownloader _downloader;
    private readonly ICircuitProvider? _caches;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly RelayAddress[] _authorities;
    private DirectoryCacheLoad _cacheStatus = new(DirectoryCacheStatus.NotChecked, "the consensus cache has not been read yet");

    /// <summary>Creates the directory; the options are validated here.</summary>
    /// <param name="options">The authorities and timers.</param>
    /// <param name="holder">Verifies and holds the consensus, and writes the cache (give it the cache path,
    /// <see cref="ClientDirectoryOptions.CacheFileName"/> in the data directory, and the pinned authorities).</param>
    /// <param name="downloader">Downloads from authorities.</param>
    /// <param name="caches">Builds the one-hop circuits to a guard acting as directory cache; null to use only the authorities.</param>
    /// <param name="timeProvider">The clock of the schedule.</param>
    /// <param name="logger">Where the cache status and fetch results go.</param>
    /// <param name="random">Orders the authorities and places refreshes; <see cref="SecureRandom.Instance"/> when null.</param>
    public ClientDirectory(
        ClientDirectoryOptions options,
        ConsensusHolder holder,
        AuthorityConsensusDownloader downloader,
        ICircuitProvider? caches,
        TimeProvider timeProvider,
        ILogger<ClientDirectory>? logger = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _holder = holder;
        _downloader = downloader;
        _caches = caches;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _random = random ?? SecureRandom.Instance;
        _authorities = [.. options.Authorities.Select(a => RelayAddress.TryParse(a.Address, out var address) ? address : default)];
    }

    /// <summary>What the cache held at start, typed, with the sentence shown to the user.</summary>
    public DirectoryCacheLoad CacheStatus => Volatile.Read(ref _cacheStatus);

    /// <summary>Where the last consensus taken came from; null when none was taken yet.</summary>
    public ConsensusSourceKind? LastSource { get; private set; }

    /// <summary>The holder the consensus lives in.</summary>
    public ConsensusHolder Holder => _holder;

    /// <summary>The pinned authorities of <paramref name="options"/>, for the <see cref="ConsensusHolder"/>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static IReadOnlyList<Crypto.Keys.AuthorityId> PinnedAuthorities(ClientDirectoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return [.. options.Authorities.Select(a => AuthorityIds.TryParse(a.Identity, out var id) ? id : default)];
    }

    /// <summary>Which pinned authorities signed the consensus in use; null before the first one.</summary>
    public ConsensusSignatureReport? SignaturesOfLatest()
    {
        if (_holder.Latest is not { } consensus)
        {
            return null;
        }

        var signers = consensus.Signers.ToHashSet();
        var pinned = new HashSet<Crypto.Keys.AuthorityId>();
        var missing = new List<string>();
        foreach (var authority in _options.Authorities)
        {
            if (AuthorityIds.TryParse(authority.Identity, out var id) && pinned.Add(id) && !signers.Contains(id))
            {
                missing.Add(authority.Nickname.Length > 0 ? authority.Nickname : authority.Address);
            }
        }

        return new ConsensusSignatureReport(pinned.Count - missing.Count, pinned.Count, missing);
    }

    /// <summary>Offers the cache file to the holder and records what was found (logged: Information when loaded,
    /// Warning when refused).</summary>
    public DirectoryCacheLoad LoadCache()
    {
        var load = _holder.LoadCache();
        var result = load.Status switch
        {
            ConsensusCacheStatus.Loaded => new DirectoryCacheLoad(DirectoryCacheStatus.Loaded,
                "the cached consensus verified; using it", load.Offer),
            ConsensusCacheStatus.NoFile or ConsensusCacheStatus.NoCacheConfigured => new DirectoryCacheLoad(DirectoryCacheStatus.None,
                "no cached consensus; fetching one from the directory authorities", load.Offer),
            ConsensusCacheStatus.Unreadable => new DirectoryCacheLoad(DirectoryCacheStatus.Unreadable,
                "the cached consensus could not be read (check the data directory's permissions); fetching a fresh one", load.Offer),
            _ => Refused(load.Offer),
        };
        if (result.Status == DirectoryCacheStatus.Loaded)
        {
            LastSource = ConsensusSourceKind.DiskCache;
            ClientLog.CacheLoaded(_logger, _holder.Latest!.ValidUntil);
        }
        else if (result.Status is not DirectoryCacheStatus.None)
        {
            ClientLog.CacheRefused(_logger, result.Status, result.Message);
        }

        Volatile.Write(ref _cacheStatus, result);
        return result;
    }

    /// <summary>
    /// Loads the cache and, while no consensus is usable, fetches with back-off until one is: returns once circuits can
    /// be built. Cancel to give up.
    /// </summary>
    public async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        if (CacheStatus.Status == DirectoryCacheStatus.NotChecked)
        {
            LoadCache();
        }

        var failures = 0;
        while (!_holder.TryGetUsable(out _, out _))
        {
            if (await FetchOnceAsync(cancellationToken).ConfigureAwait(false) is not null && _holder.TryGetUsable(out _, out _))
            {
                return;
            }

            var delay = Backoff(failures++);
            ClientLog.RoundFailed(_logger, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One round: through the guard when a consensus is held and a circuit provider was given, else (or when the guard
    /// fails) from the authorities in random order, until one source gives a consensus the holder takes, or says the
    /// held one is current.
    /// </summary>
    /// <returns>Where the current consensus was confirmed from; null when no source helped.</returns>
    public async Task<ConsensusSourceKind?> FetchOnceAsync(CancellationToken cancellationToken)
    {
        if (_caches is not null && _holder.TryGetUsable(out _, out _))
        {
            if (await FetchFromGuardAsync(cancellationToken).ConfigureAwait(false))
            {
                return ConsensusSourceKind.Guard;
            }
        }

        var order = Enumerable.Range(0, _authorities.Length).ToArray();
        _random.Shuffle(order);
        foreach (var index in order)
        {
            var download = await _downloader.GetAsync(_authorities[index], cancellationToken).ConfigureAwait(false);
            if (download.Document is null)
            {
                ClientLog.FetchFailed(_logger, ConsensusSourceKind.Authority, download.Failure);
                continue;
            }

            if (Take(download.Document, ConsensusSourceKind.Authority))
            {
                return ConsensusSourceKind.Authority;
            }
        }

        return null;
    }

    /// <summary>When to refresh next after <paramref name="now"/>: a random moment in the window (see remarks), at most
    /// <see cref="ClientDirectoryOptions.MaxRefreshInterval"/> away; zero when the window has passed; null without a consensus.</summary>
    public TimeSpan? NextRefreshDelay(DateTimeOffset now)
    {
        var latest = _holder.Latest;
        if (latest is null)
        {
            return null;
        }

        var interval = latest.FreshUntil - latest.ValidAfter;
        var start = latest.FreshUntil + (interval * 3 / 4);
        if (start >= latest.ValidUntil)
        {
            start = latest.FreshUntil;
        }

        var end = start + ((latest.ValidUntil - start) * 7 / 8);
        var at = start + ((end - start) * _random.NextDouble());
        var delay = at - now;
        return delay <= TimeSpan.Zero ? TimeSpan.Zero
            : delay < _options.MaxRefreshInterval ? delay
            : _options.MaxRefreshInterval;
    }

    /// <summary>Loads the cache (if not done), then keeps the consensus fresh until cancelled. Faults are logged, never
    /// thrown: the task outlives a bad round.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (CacheStatus.Status == DirectoryCacheStatus.NotChecked)
        {
            LoadCache();
        }

        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var usable = _holder.TryGetUsable(out _, out _);
                var due = NextRefreshDelay(_time.GetUtcNow());
                if (usable && due is { } wait && wait > TimeSpan.Zero)
                {
                    delay = wait;
                }
                else
                {
                    // A round counts as progress only when it brought a newer consensus: past the window with nothing
                    // newer anywhere (the authorities are late), the rounds back off instead of asking every few seconds.
                    var before = _holder.Latest?.ValidAfter;
                    var source = await FetchOnceAsync(cancellationToken).ConfigureAwait(false);
                    if (source is not null && _holder.Latest?.ValidAfter != before)
                    {
                        failures = 0;
                        delay = NextRefreshDelay(_time.GetUtcNow()) is { } next && next > TimeSpan.Zero ? next : Backoff(0);
                    }
                    else
                    {
                        delay = Backoff(failures++);
                        if (source is null)
                        {
                            ClientLog.RoundFailed(_logger, delay);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The refresh task must outlive one bad round; the fault is logged and retried.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ClientLog.DirectoryFault(_logger, e);
                delay = Backoff(failures++);
            }

            ClientLog.NextRefresh(_logger, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static DirectoryCacheLoad Refused(ConsensusOfferResult offer) => offer.Refusal switch
    {
        ConsensusRefusal.Expired => new(DirectoryCacheStatus.Stale,
            "the cached consensus has expired (past valid-until and the grace period); fetching a fresh one", offer),
        ConsensusRefusal.NotYetValid => new(DirectoryCacheStatus.NotYetValid,
            "the cached consensus is not valid yet: the local clock looks behind; check it. Fetching a fresh consensus", offer),
        _ => new(DirectoryCacheStatus.Corrupt,
            $"the cached consensus was refused ({offer}): the file is damaged or not signed by a majority of the configured authorities; fetching a fresh one", offer),
    };

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.RetryInitial * Math.Pow(2, Math.Min(failures, 20));
        return delay < _options.RetryMax ? delay : _options.RetryMax;
    }

    private bool Take(byte[] document, ConsensusSourceKind source)
    {
        var result = _holder.Offer(document);
        if (result.Accepted)
        {
            LastSource = source;
            ClientLog.ConsensusTaken(_logger, source, _holder.Latest!.ValidUntil);
            return true;
        }

        // An authority's consensus that is not newer says the held one is the newest the network has. A guard that
        // serves an older one than the client holds (it would have said NotModified for the same one) is behind: the
        // round goes on to the authorities.
        if (result.Refusal == ConsensusRefusal.NotNewer && source == ConsensusSourceKind.Authority)
        {
            ClientLog.NotModified(_logger);
            return true;
        }

        ClientLog.FetchFailed(_logger, source, result.ToString());
        return false;
    }

    private async Task<bool> FetchFromGuardAsync(CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(_options.CacheRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        ProvidedCircuit? provided = null;
        try
        {
            provided = await _caches!.GetAsync(CircuitPurpose.Directory, null, linked.Token).ConfigureAwait(false);
            var held = _holder.LatestDocument;
            var digest = held.IsEmpty ? [] : SHA3_256.HashData(held.Span);
            var stream = await provided.Circuit.OpenDirectoryStreamAsync(new HopIndex(0), new DirectoryRequestMessage(DirectoryResource.Consensus, digest), linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var answer = await stream.ReceiveMessageAsync(linked.Token).ConfigureAwait(false);
                if (!answer.TryDecode<DirectoryResponseMessage>(out var response, out _))
                {
                    ClientLog.FetchFailed(_logger, ConsensusSourceKind.Guard, "the answer is not a DIRECTORY_RESPONSE");
                    return false;
                }

                if (response.Status == DirectoryStatus.NotModified)
                {
                    ClientLog.NotModified(_logger);
                    return true;
                }

                if (response.Status != DirectoryStatus.Ok)
                {
                    ClientLog.FetchFailed(_logger, ConsensusSourceKind.Guard, "status " + response.Status);
                    return false;
                }

                var limitBytes = Math.Min(NetworkStatus.MaxSize, DirectoryLimits.MaxResponseLength);
                var body = await AuthorityConsensusDownloader.ReadBodyAsync(stream.AsStream(), response.BodyLength, limitBytes, linked.Token).ConfigureAwait(false);
                if (body is null)
                {
                    ClientLog.FetchFailed(_logger, ConsensusSourceKind.Guard, "the consensus is larger than the limit");
                    return false;
                }

                return Take(body, ConsensusSourceKind.Guard);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ClientLog.FetchFailed(_logger, ConsensusSourceKind.Guard, $"no answer within {_options.CacheRequestTimeout.TotalSeconds:0.#} s");
            return false;
        }
        catch (Exception e) when (e is CircuitBuildException or CircuitException or IOException)
        {
            ClientLog.FetchFailed(_logger, ConsensusSourceKind.Guard, e.Message);
            return false;
        }
        finally
        {
            if (provided is not null)
            {
                await provided.Circuit.CloseAsync().ConfigureAwait(false);
            }
        }
    }
}
