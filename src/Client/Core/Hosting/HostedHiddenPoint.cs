using System.Threading.Channels;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// The user's hidden point, online (docs/client.md §4): <see cref="HostingOptions.IntroductionPointCount"/>
/// introduction points kept established over their own circuits and replaced when they close or fail, descriptors
/// listing them uploaded to the HSDirs of both upload periods whenever they change and on a schedule, and every
/// introduction answered at its rendezvous point. Clients that join come out of <see cref="Connections"/>.
/// </summary>
/// <remarks>
/// Each introduction point has a task of its own that sets it up, listens to its INTRODUCE2s and replaces it; one
/// publishing task uploads. The introduction-point slots are written only by their own task and read by the publisher.
/// </remarks>
public sealed class HostedHiddenPoint : IAsyncDisposable
{
    private readonly HiddenPointIdentitySecretKey _identity;
    private readonly ICircuitProvider _circuits;
    private readonly HostingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HostIntroductionPoint?[] _points;
    private readonly Lock _relaysGate = new();
    private readonly HashSet<RelayId> _relaysInUse = [];
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<IncomingHiddenPointConnection> _connections;
    private readonly DescriptorPublisher _publisher;
    private readonly IntroductionHandler _introductions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstPublished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _tasks = [];
    private IReadOnlyList<HsDirUploadResult> _lastUploads = [];
    private long _lastStoredAtTicks;
    private int _started;
    private int _disposed;

    /// <summary>The hidden point of <paramref name="identity"/>; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="identity">The user's identity (KS_hs_id); the caller keeps ownership.</param>
    /// <param name="circuits">Where circuits come from.</param>
    /// <param name="consensus">The verified consensus (its HSDir ring, its relays).</param>
    /// <param name="options">The hosting options.</param>
    /// <param name="timeProvider">The clock of every timeout and schedule.</param>
    /// <param name="logger">Where events go.</param>
    public HostedHiddenPoint(
        HiddenPointIdentityKey identity,
        ICircuitProvider circuits,
        IConsensusSource consensus,
        IOptions<HostingOptions> options,
        TimeProvider timeProvider,
        ILogger<HostedHiddenPoint> logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(circuits);
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Value.Validate();
        _options = options.Value;
        _identity = identity.ToExpandedSecretKey();
        HiddenId = identity.IdentityPublicKey.ToHiddenId();
        _circuits = circuits;
        _time = timeProvider;
        _logger = logger;
        _points = new HostIntroductionPoint?[_options.IntroductionPointCount];
        _connections = Channel.CreateBounded<IncomingHiddenPointConnection>(new BoundedChannelOptions(_options.ConnectionBacklog) { FullMode = BoundedChannelFullMode.Wait });
        _publisher = new DescriptorPublisher(_identity, circuits, new HsDirViewSource(consensus), _options, timeProvider, logger);
        _introductions = new IntroductionHandler(
            circuits, consensus, _options, timeProvider, logger, _connections.Writer, () => _publisher.Subcredentials, _stopping.Token);
    }

    /// <summary>The hidden point's address.</summary>
    public HiddenId HiddenId { get; }

    /// <summary>Clients that joined: one per completed rendezvous. Completes when the hidden point is disposed.</summary>
    public ChannelReader<IncomingHiddenPointConnection> Connections => _connections.Reader;

    /// <summary>Introduction points established now.</summary>
    public int EstablishedIntroductionPoints => EstablishedPoints().Count;

    /// <summary>Completes after the first round in which at least one HSDir stored a descriptor.</summary>
    public Task FirstPublished => _firstPublished.Task;

    /// <summary>Every HSDir's answer in the last upload round.</summary>
    public IReadOnlyList<HsDirUploadResult> LastUploads => Volatile.Read(ref _lastUploads);

    /// <summary>How many HSDirs hold the descriptors by their latest answers, and when one last stored one.</summary>
    public DescriptorPublication Publication
    {
        get
        {
            var last = LastUploads;
            var storedAt = Interlocked.Read(ref _lastStoredAtTicks);
            return new DescriptorPublication(
                last.Count(r => r.Outcome == HsDirUploadOutcome.Stored),
                last.Count,
                storedAt == 0 ? null : new DateTimeOffset(storedAt, TimeSpan.Zero));
        }
    }

    /// <summary>Introductions opened and answered with a rendezvous attempt.</summary>
    public long IntroductionsAccepted => _introductions.Accepted;

    /// <summary>Introductions dropped because the same INTRODUCE2 was processed before.</summary>
    public long IntroductionsReplayed => _introductions.Replayed;

    /// <summary>Introductions refused for another reason (malformed, bad MAC, unknown rendezvous point).</summary>
    public long IntroductionsRefused => _introductions.Refused;

    /// <summary>Starts the introduction points and publishing.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        for (var slot = 0; slot < _points.Length; slot++)
        {
            var index = slot;
            _tasks.Add(Task.Run(() => MaintainIntroductionPointAsync(index, _stopping.Token)));
        }

        _tasks.Add(Task.Run(() => PublishLoopAsync(_stopping.Token)));
    }

    /// <summary>Uploads descriptors listing the introduction points established now, at once; every HSDir's answer.</summary>
    public async Task<IReadOnlyList<HsDirUploadResult>> PublishNowAsync(CancellationToken cancellationToken = default)
    {
        var points = EstablishedPoints().Select(p => p.DescriptorEntry).ToList();
        if (points.Count == 0)
        {
            return [];
        }

        var results = await _publisher.PublishAsync(points, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastUploads, results);
        if (results.Any(r => r.Outcome == HsDirUploadOutcome.Stored))
        {
            Interlocked.Exchange(ref _lastStoredAtTicks, _time.GetUtcNow().UtcTicks);
            _firstPublished.TrySetResult();
        }

        return results;
    }

    /// <summary>Closes the introduction circuits (the hidden point goes offline) and every connection not yet taken.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(false);
        await _introductions.DrainAsync().ConfigureAwait(false);
        _connections.Writer.TryComplete();
        while (_connections.Reader.TryRead(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _firstPublished.TrySetCanceled();
        _introductions.Dispose();
        _publisher.Dispose();
        _identity.Dispose();
        _stopping.Dispose();
    }

    private async Task MaintainIntroductionPointAsync(int slot, CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            HostIntroductionPoint? point = null;
            var reason = "closed";
            try
            {
                point = await SetUpAsync(stopping).ConfigureAwait(false);
                var introductions = point.Circuit.Listen(point.Circuit.LastHop, RelayCommandSet.Of(RelayCommand.Introduce2));
                Volatile.Write(ref _points[slot], point);
                failures = 0;
                HiddenPointClientLog.IntroductionPointEstablished(_logger, slot);
                _changes.Writer.TryWrite(true);
                await foreach (var message in introductions.ReadAllAsync(stopping).ConfigureAwait(false))
                {
                    _introductions.Handle(point, message);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                reason = "stopping";
            }
            catch (OperationCanceledException)
            {
                reason = "timeout";
            }
            catch (CircuitBuildException)
            {
                reason = "no_circuit";
            }
            catch (CircuitException ex)
            {
                reason = ex.Failure.ToString();
            }
            catch (DuplicateIntroductionPointException)
            {
                reason = "relay_already_used";
            }
#pragma warning disable CA1031 // One introduction point's fault is logged and the point replaced; the host goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                reason = "fault";
                HiddenPointClientLog.HostingFault(_logger, ex);
            }

            if (point is not null)
            {
                Volatile.Write(ref _points[slot], null);
                Release(point.Relay.Id);
                await point.Circuit.DisposeAsync().ConfigureAwait(false);
                point.Dispose();
                _changes.Writer.TryWrite(true);
            }

            if (stopping.IsCancellationRequested)
            {
                return;
            }

            HiddenPointClientLog.IntroductionPointLost(_logger, slot, reason);
            failures++;
            var delay = TimeSpan.FromTicks(Math.Min(
                _options.IntroductionRetryMaxDelay.Ticks, _options.IntroductionRetryDelay.Ticks << Math.Min(failures - 1, 20)));
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // A circuit whose last hop the provider chose, and ESTABLISH_INTRO with fresh keys on it.
    private async Task<HostIntroductionPoint> SetUpAsync(CancellationToken stopping)
    {
        using var deadline = new Deadline(_options.IntroductionSetupTimeout, _time, stopping);
        var provided = await _circuits.GetAsync(CircuitPurpose.HostIntroduction, null, deadline.Token).ConfigureAwait(false);
        var circuit = provided.Circuit;
        var relay = provided.LastRelay;
        if (!TryClaim(relay.Id))
        {
            await circuit.DisposeAsync().ConfigureAwait(false);
            throw new DuplicateIntroductionPointException();
        }

        var authKey = HsIntroAuthSigningKey.Generate();
        var encryptionKey = HsIntroEncryptionKey.Generate();
        try
        {
            var establish = circuit.CreateEstablishIntro(circuit.LastHop, authKey);
            await circuit.RequestAsync(circuit.LastHop, establish, RelayCommandSet.Of(RelayCommand.IntroEstablished), deadline.Token).ConfigureAwait(false);
            return new HostIntroductionPoint(relay, circuit, authKey, encryptionKey, _options.ReplayCacheCapacity);
        }
        catch
        {
            Release(relay.Id);
            await circuit.DisposeAsync().ConfigureAwait(false);
            authKey.Dispose();
            encryptionKey.Dispose();
            throw;
        }
    }

    // A full round at a change of the introduction points, every RepublishInterval after a round that stored somewhere,
    // or every PublishRetryInterval after one that stored nowhere. Between full rounds, the uploads that got no answer
    // are tried again alone, after PublishRetryInterval and then twice as long each time (never past the next full
    // round): the HSDirs that answered are left alone, so that a few unreachable ones cannot make the host hammer the
    // rest, and the unreachable ones do not stay empty for a whole RepublishInterval.
    private async Task PublishLoopAsync(CancellationToken stopping)
    {
        var wait = Timeout.InfiniteTimeSpan;
        var nextRound = DateTimeOffset.MaxValue;
        var retryDelay = _options.PublishRetryInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var changed = await WaitForChangeAsync(wait, stopping).ConfigureAwait(false);
                if (!changed && _time.GetUtcNow() < nextRound && _publisher.HasMissedUploads)
                {
                    var retried = await _publisher.RetryMissedAsync(stopping).ConfigureAwait(false);
                    RecordRetries(retried);
                    retryDelay = Min(retryDelay * 2, _options.RepublishInterval);
                    wait = NextWait(nextRound, retryDelay);
                    continue;
                }

                // Let the other introduction points come up (or go) before uploading, unless all are there already.
                // Measured on the monotonic clock: a wall-clock jump must not cut the wait short or stretch it.
                var settleStart = _time.GetTimestamp();
                while (EstablishedIntroductionPoints < _points.Length && _time.GetElapsedTime(settleStart) < _options.PublishSettleDelay)
                {
                    await WaitForChangeAsync(_options.PublishSettleDelay - _time.GetElapsedTime(settleStart), stopping).ConfigureAwait(false);
                }

                if (EstablishedIntroductionPoints == 0)
                {
                    wait = Timeout.InfiniteTimeSpan;
                    nextRound = DateTimeOffset.MaxValue;
                    continue;
                }

                var results = await PublishNowAsync(stopping).ConfigureAwait(false);
                var stored = results.Any(r => r.Outcome == HsDirUploadOutcome.Stored);
                nextRound = _time.GetUtcNow() + (stored ? _options.RepublishInterval : _options.PublishRetryInterval);
                retryDelay = _options.PublishRetryInterval;
                wait = NextWait(nextRound, retryDelay);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Logged as the bug it is; publishing tries again after the retry interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                HiddenPointClientLog.HostingFault(_logger, ex);
                wait = _options.PublishRetryInterval;
                nextRound = _time.GetUtcNow() + wait;
            }
        }
    }

    // Until the next full round, or the next retry of missed uploads if one is due before it.
    private TimeSpan NextWait(DateTimeOffset nextRound, TimeSpan retryDelay)
    {
        var untilRound = nextRound - _time.GetUtcNow();
        return _publisher.HasMissedUploads ? Min(retryDelay, untilRound) : untilRound;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // A retry's answers replace the last round's answers of the same HSDirs and periods.
    private void RecordRetries(IReadOnlyList<HsDirUploadResult> retried)
    {
        if (retried.Count == 0)
        {
            return;
        }

        var last = Volatile.Read(ref _lastUploads);
        Volatile.Write(ref _lastUploads, [.. last.Select(r => retried.FirstOrDefault(n => n.Period == r.Period && n.HsDir == r.HsDir) ?? r)]);
        if (retried.Any(r => r.Outcome == HsDirUploadOutcome.Stored))
        {
            Interlocked.Exchange(ref _lastStoredAtTicks, _time.GetUtcNow().UtcTicks);
            _firstPublished.TrySetResult();
        }
    }

    // Returns on a change of the introduction points (true) or when the wait is over (false), whichever comes first.
    private async Task<bool> WaitForChangeAsync(TimeSpan wait, CancellationToken stopping)
    {
        if (wait <= TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan)
        {
            return false;
        }

        using var timer = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try
        {
            await _changes.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    private List<HostIntroductionPoint> EstablishedPoints()
    {
        var established = new List<HostIntroductionPoint>(_points.Length);
        for (var i = 0; i < _points.Length; i++)
        {
            if (Volatile.Read(ref _points[i]) is { } point)
            {
                established.Add(point);
            }
        }

        return established;
    }

    private bool TryClaim(RelayId relay)
    {
        lock (_relaysGate)
        {
            return _relaysInUse.Add(relay);
        }
    }

    private void Release(RelayId relay)
    {
        lock (_relaysGate)
        {
            _relaysInUse.Remove(relay);
        }
    }

    /// <summary>The provider gave a relay another introduction point of this host already uses.</summary>
    private sealed class DuplicateIntroductionPointException : Exception
    {
        public DuplicateIntroductionPointException()
            : base("The relay is already one of this hidden point's introduction points.")
        {
        }
    }
}
