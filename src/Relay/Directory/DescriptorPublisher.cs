using System.Diagnostics.Metrics;
using System.Threading.Channels;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Authorities;

/// <summary>
/// Builds, signs and uploads the relay's descriptor to every authority: once the listener is bound, then every
/// <see cref="RelayOptions.DescriptorPublishInterval"/>, and at once whenever its contents change (a key rotation, a
/// changed option). Each authority is tried on its own, and retried with exponential backoff and jitter while it does
/// not answer; a refusal is logged with what it most likely means and not retried until the next upload.
/// </summary>
internal sealed class DescriptorPublisher : BackgroundService
{
    /// <summary>The protocols this relay speaks, as its descriptor lists them.</summary>
    internal static readonly ProtocolSupport Protocols = new([
        new ProtocolVersions("HsDir", 1UL << 1),
        new ProtocolVersions("Link", 1UL << 1),
        new ProtocolVersions("Relay", (1UL << 1) | (1UL << 2)),
    ]);

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_longestRetry = TimeSpan.FromMinutes(5);

    private readonly IOptionsMonitor<RelayOptions> _options;
    private readonly RelayKeyStore _keys;
    private readonly RelayListenerState _listener;
    private readonly AuthorityClient _client;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly RelayHostMetrics? _metrics;
    private DateTimeOffset _lastPublished = DateTimeOffset.MinValue;

    public DescriptorPublisher(
        IOptionsMonitor<RelayOptions> options,
        RelayKeyStore keys,
        RelayListenerState listener,
        AuthorityClient client,
        TimeProvider timeProvider,
        ILogger<DescriptorPublisher> logger,
        IMeterFactory? meterFactory = null)
    {
        _metrics = meterFactory is null ? null : new RelayHostMetrics(meterFactory);
        _options = options;
        _keys = keys;
        _listener = listener;
        _client = client;
        _clock = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after each upload round with the authorities that accepted (for tests and diagnostics).</summary>
    public event EventHandler<PublishRound>? RoundFinished;

    /// <summary>The software line: <c>hpc-relay/MAJOR.MINOR.PATCH</c>.</summary>
    internal static string Software
    {
        get
        {
            var version = typeof(DescriptorPublisher).Assembly.GetName().Version ?? new Version(0, 1, 0);
            return $"hpc-relay/{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}";
        }
    }

    /// <summary>Signs the descriptor for the keys in force and the bound port.</summary>
    internal byte[] Build(int boundPort)
    {
        var options = _options.CurrentValue;
        var keys = _keys.Current;

        // An authority keeps only a descriptor newer than the one it holds: two uploads in one second must differ.
        var published = DocumentTime.FloorToSecond(_clock.GetUtcNow());
        if (published <= _lastPublished)
        {
            published = _lastPublished.AddSeconds(1);
        }

        _lastPublished = published;
        return new RelayDescriptorBuilder
        {
            Nickname = options.Nickname,
            Published = published,
            LinkKey = keys.LinkKey.Public,
            LinkKeyExpires = DocumentTime.FloorToSecond(keys.LinkKeyExpires),
            CircuitHandshakeKey = keys.CircuitHandshakeKey.Public,
            CircuitHandshakeKeyExpires = DocumentTime.FloorToSecond(keys.CircuitHandshakeKeyExpires),
            Addresses = [options.Advertised(boundPort)],
            Bandwidth = (uint)options.Bandwidth,
            Software = Software,
            Protocols = Protocols,
            Family = options.FamilyIds(_keys.Id),
        }.Sign(_keys.Identity);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bound = await _listener.Bound.WaitAsync(stoppingToken).ConfigureAwait(false);
        _keys.Rotated += OnRotated;
        using var optionsChange = _options.OnChange((_, _) => _changed.Writer.TryWrite(true));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var descriptor = Build(bound.Port);
                using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var uploads = PublishAsync(descriptor, round.Token);

                // Until the next scheduled upload or a change, whichever comes first; a change cuts retries short.
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    var interval = Task.Delay(_options.CurrentValue.DescriptorPublishInterval, _clock, wait.Token);
                    var change = _changed.Reader.WaitToReadAsync(wait.Token).AsTask();
                    await Task.WhenAny(interval, change).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false);
                }

                _changed.Reader.TryRead(out _);
                await round.CancelAsync().ConfigureAwait(false);
                await uploads.ConfigureAwait(false);
            }
        }
        finally
        {
            _keys.Rotated -= OnRotated;
        }
    }

    private void OnRotated(object? sender, RelayKeyRotation e) => _changed.Writer.TryWrite(true);

    private async Task PublishAsync(byte[] descriptor, CancellationToken cancellationToken)
    {
        var authorities = _options.CurrentValue.Authorities;
        RelayLog.Publishing(_logger, authorities.Count);
        var results = await Task.WhenAll(authorities.Select(a => PublishToAsync(a, descriptor, cancellationToken))).ConfigureAwait(false);
        RoundFinished?.Invoke(this, new PublishRound(descriptor, [.. results]));
    }

    private async Task<(string Authority, UploadResult Result)> PublishToAsync(
        RelayAuthorityOptions authority, byte[] descriptor, CancellationToken cancellationToken)
    {
        var last = new UploadResult(UploadOutcome.Failed, "cancelled");
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                last = await _client.PostDescriptorAsync(authority, descriptor, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            _metrics?.Upload(last.Outcome switch
            {
                UploadOutcome.Accepted => "accepted",
                UploadOutcome.Refused => "refused",
                _ => "failed",
            });
            switch (last.Outcome)
            {
                case UploadOutcome.Accepted:
                    RelayLog.DescriptorAccepted(_logger, authority.Nickname);
                    return (authority.Nickname, last);
                case UploadOutcome.Refused:
                    var code = AuthorityClient.ReasonCode(last.Reason);
                    if (code == "NotNewer")
                    {
                        // It holds this upload or a later one: nothing to do.
                        RelayLog.DescriptorAlreadyHeld(_logger, authority.Nickname);
                        return (authority.Nickname, last);
                    }

                    RelayLog.DescriptorRefused(_logger, authority.Nickname, last.Reason, Meaning(code));

                    // Both are the authority's "not now" (HTTP 429): RateLimited per window, Busy while its share of
                    // uploads in progress from this address is taken. Every other refusal would be refused again.
                    if (code is not ("RateLimited" or "Busy"))
                    {
                        return (authority.Nickname, last);
                    }

                    break;
                default:
                    RelayLog.UploadFailed(_logger, authority.Nickname, last.Reason, attempt + 1);
                    break;
            }

            try
            {
                await Task.Delay(Backoff(attempt, _options.CurrentValue.DescriptorPublishInterval), _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (authority.Nickname, last);
    }

    /// <summary>2 s, 4 s, 8 s… up to 5 min (or the publish interval), each drawn at random from its upper half.</summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan cap)
    {
        var limit = cap < s_longestRetry ? cap : s_longestRetry;
        var ceiling = s_firstRetry * Math.Pow(2, Math.Min(attempt, 20));
        if (ceiling > limit)
        {
            ceiling = limit;
        }

        return ceiling * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private static string Meaning(string code) => code switch
    {
        "PublishedInFuture" => "this relay's clock is ahead of the authority's; check the system clock (NTP)",
        "TooOld" => "this relay's clock is behind the authority's; check the system clock (NTP)",
        "KeysExpired" => "the key certificates had expired by the authority's clock; check the system clock (NTP)",
        "RateLimited" => "too many uploads from this address; retrying later",
        "Busy" => "the authority is handling other uploads from this address; retrying shortly",
        "BadSignature" or "BadCertificate" or "Malformed" => "the authority cannot read or verify this descriptor; is it running a compatible version?",
        "TooLarge" => "the descriptor is over the authority's size limit (too many family members?)",
        "StoreFull" => "the authority holds as many relays as it will",
        _ => "see the authority's documentation",
    };
}

/// <summary>One upload round: the descriptor and how each authority answered.</summary>
/// <param name="Descriptor">The signed descriptor uploaded.</param>
/// <param name="Results">Each authority's nickname and answer.</param>
internal sealed record PublishRound(byte[] Descriptor, IReadOnlyList<(string Authority, UploadResult Result)> Results);
