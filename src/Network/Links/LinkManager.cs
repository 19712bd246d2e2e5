using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Links;

/// <summary>
/// Gets or launches links to relays, one per relay identity: an open link whose proven key is the one the target
/// names is reused; otherwise one launch (dial, then the Noise handshake) runs per target and every concurrent caller
/// shares it. Links the peer opened can be added for reuse (<see cref="Register"/>). A held link that carries no
/// circuit for <see cref="LinkManagerOptions.IdleTimeout"/> is closed. Clients (Noise NK, anonymous) and relays
/// (Noise XK with the relay's current link key) both use it.
/// </summary>
/// <remarks>
/// The manager's maps are guarded by one lock, held only for lookups and updates, never across a dial, a handshake
/// or a call into the owner. Results are typed (<see cref="LinkLaunchResult"/>); only the caller's own cancellation
/// throws.
/// </remarks>
public sealed class LinkManager : IAsyncDisposable
{
    private readonly LinkRuntime _runtime;
    private readonly LinkManagerOptions _options;
    private readonly Func<LinkKey>? _localKey;
    private readonly LinkKind _kind;
    private readonly ILinkDialer _dialer;
    private readonly ILinkLaunchHandler? _owner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NetworkMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Dictionary<Link, HeldLink> _held = [];
    private readonly Dictionary<RelayId, Link> _byRelay = [];
    private readonly Dictionary<LaunchKey, Task<LinkLaunchResult>> _launching = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _stopping;
    private readonly ITimer _idleSweep;
    private bool _disposed;

    /// <summary>Creates the manager; the options are validated here.</summary>
    /// <param name="runtime">Runs the handshakes and the links (its clock drives every timeout of the manager).</param>
    /// <param name="options">Limits and timers.</param>
    /// <param name="localKey">
    /// For a relay: reads its current link key at each launch (the key rotates), and links are Noise XK. Null for a
    /// client, whose links are Noise NK and anonymous.
    /// </param>
    /// <param name="dialer">How endpoints are reached; <see cref="TcpLinkDialer"/> when null.</param>
    /// <param name="owner">What the owning program decides and learns about each launch; nothing when null.</param>
    public LinkManager(
        LinkRuntime runtime,
        IOptions<LinkManagerOptions> options,
        Func<LinkKey>? localKey = null,
        ILinkDialer? dialer = null,
        ILinkLaunchHandler? owner = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _runtime = runtime;
        _localKey = localKey;
        _kind = localKey is null ? LinkKind.ClientToRelay : LinkKind.RelayToRelay;
        _dialer = dialer ?? TcpLinkDialer.Instance;
        _owner = owner;
        _time = runtime.TimeProvider;
        _logger = runtime.Logger;
        _metrics = runtime.Metrics;
        _stopping = _lifetime.Token;
        var sweepEvery = _options.IdleTimeout / 4;
        _idleSweep = _time.CreateTimer(static state => ((LinkManager)state!).CloseIdleLinks(), this, sweepEvery, sweepEvery);
    }

    /// <summary>The kind of link this manager launches.</summary>
    public LinkKind Kind => _kind;

    /// <summary>Open links the manager holds (launched or registered).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Launches in flight.</summary>
    public int LaunchesInFlight
    {
        get
        {
            lock (_gate)
            {
                return _launching.Count;
            }
        }
    }

    /// <summary>
    /// An open link to <paramref name="target"/>: one already held whose proven key is the target's, the one a
    /// launch already in flight for the target yields, or a new launch's. Failures are values
    /// (<see cref="LinkLaunchResult.Failure"/>); a launch's failure is every waiting caller's. Cancelling
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/> for this caller only: a
    /// launch others share goes on (bounded by <see cref="LinkManagerOptions.ConnectTimeout"/>), and its link is held.
    /// </summary>
    public ValueTask<LinkLaunchResult> GetOrLaunchAsync(LinkTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LinkLaunchResult>(cancellationToken);
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return new ValueTask<LinkLaunchResult>(Refused(LinkLaunchFailure.Stopped));
            }

            if (TryReuseLocked(target, out var link))
            {
                _metrics.LinkReused();
                return new ValueTask<LinkLaunchResult>(LinkLaunchResult.Opened(link));
            }

            if (_launching.TryGetValue(new LaunchKey(target.Id, target.LinkKey), out var pending))
            {
                return new ValueTask<LinkLaunchResult>(pending.WaitAsync(cancellationToken));
            }
        }

        return LaunchOrJoinAsync(target, cancellationToken);
    }

    /// <summary>
    /// Holds a link the peer opened to this process, so that <see cref="GetOrLaunchAsync"/> reuses it for relay
    /// <paramref name="id"/> while its proven key (<see cref="Link.PeerLinkKey"/>) is the one the target names. A
    /// relay registers the links of relays the consensus lists. Returns false, and the link stays the caller's alone,
    /// when it has no proven key (a client's link), is closed, an open link to <paramref name="id"/> is held already,
    /// the manager holds <see cref="LinkManagerOptions.MaxLinks"/>, or it is disposed.
    /// </summary>
    public bool Register(RelayId id, Link link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link.PeerLinkKey is null || link.CloseReason != LinkCloseReason.None)
        {
            return false;
        }

        lock (_gate)
        {
            if (_disposed || _held.ContainsKey(link) || _held.Count + _launching.Count >= _options.MaxLinks)
            {
                return false;
            }

            if (_byRelay.TryGetValue(id, out var existing) && existing.CloseReason == LinkCloseReason.None)
            {
                return false;
            }

            _held.Add(link, new HeldLink(id, _time.GetTimestamp()));
            _byRelay[id] = link;
        }

        _ = ForgetWhenClosedAsync(id, link);
        return true;
    }

    /// <summary>
    /// Stops: launches in flight end with <see cref="LinkLaunchFailure.Stopped"/>, later calls get it at once, and
    /// every held link is closed (gracefully, within <see cref="LinkOptions.CloseTimeout"/>).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        List<Link> links;
        List<Task<LinkLaunchResult>> launches;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            links = [.. _held.Keys];
            launches = [.. _launching.Values];
            _held.Clear();
            _byRelay.Clear();
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _idleSweep.DisposeAsync().ConfigureAwait(false);

        // Each launch ends promptly once cancelled (dialers honour the token; the handshake does), and a link it
        // opened after this point is aborted there.
        await Task.WhenAll(launches).ConfigureAwait(false);
        var closing = new Task[links.Count];
        for (var i = 0; i < closing.Length; i++)
        {
            closing[i] = links[i].CloseAsync();
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private async ValueTask<LinkLaunchResult> LaunchOrJoinAsync(LinkTarget target, CancellationToken cancellationToken)
    {
        // The owner is asked outside the lock: it may take locks of its own.
        if (_owner is not null && !_owner.MayLaunch())
        {
            return Refused(LinkLaunchFailure.TooManyLinks);
        }

        var key = new LaunchKey(target.Id, target.LinkKey);
        TaskCompletionSource<LinkLaunchResult>? mine = null;
        Task<LinkLaunchResult>? launch;
        lock (_gate)
        {
            if (_disposed)
            {
                return Refused(LinkLaunchFailure.Stopped);
            }

            // Another caller may have launched, or finished launching, since the first look.
            if (TryReuseLocked(target, out var link))
            {
                _metrics.LinkReused();
                return LinkLaunchResult.Opened(link);
            }

            if (!_launching.TryGetValue(key, out launch))
            {
                if (_held.Count + _launching.Count >= _options.MaxLinks)
                {
                    return Refused(LinkLaunchFailure.TooManyLinks);
                }

                mine = new TaskCompletionSource<LinkLaunchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                launch = mine.Task;
                _launching.Add(key, launch);
            }
        }

        if (mine is not null)
        {
            _ = LaunchAsync(target, key, mine);
        }

        return await launch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool TryReuseLocked(LinkTarget target, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Link? link)
    {
        if (_byRelay.TryGetValue(target.Id, out var candidate)
            && candidate.CloseReason == LinkCloseReason.None
            && candidate.PeerLinkKey == target.LinkKey)
        {
            if (_held.TryGetValue(candidate, out var held))
            {
                // Handed out: its caller is about to open a circuit on it, so its idle time starts again.
                held.IdleSince = _time.GetTimestamp();
            }

            link = candidate;
            return true;
        }

        link = null;
        return false;
    }

    private LinkLaunchResult Refused(LinkLaunchFailure failure)
    {
        _metrics.LinkLaunched(failure);
        NetworkLog.LinkLaunchRefused(_logger, failure);
        return LinkLaunchResult.Failed(failure);
    }

    private async Task LaunchAsync(LinkTarget target, LaunchKey key, TaskCompletionSource<LinkLaunchResult> done)
    {
        var result = LinkLaunchResult.Failed(LinkLaunchFailure.InternalError);
        try
        {
            Link? opened = null;
            try
            {
                // Off the caller's stack: the dial may complete synchronously, and the caller holds nothing here.
                await Task.Yield();
                IPEndPoint? endpoint;
                (result, endpoint) = await ConnectAsync(target).ConfigureAwait(false);
                opened = result.Link;
                if (opened is not null)
                {
                    _owner?.OnLaunched(opened, endpoint!);
                }
            }
#pragma warning disable CA1031 // A fault while launching ends that launch only.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                NetworkLog.LinkLaunchFault(_logger, ex);
                opened?.Abort();
                opened = null;
                result = LinkLaunchResult.Failed(LinkLaunchFailure.InternalError);
            }

            var held = false;
            lock (_gate)
            {
                // Registered before the launch is forgotten, so that a caller arriving now finds one or the other.
                _launching.Remove(key);
                if (opened is not null && !_disposed)
                {
                    _held.Add(opened, new HeldLink(target.Id, _time.GetTimestamp()));
                    _byRelay[target.Id] = opened;
                    held = true;
                }
            }

            if (opened is not null && !held)
            {
                opened.Abort();
                result = LinkLaunchResult.Failed(LinkLaunchFailure.Stopped);
            }

            if (held)
            {
                _ = ForgetWhenClosedAsync(target.Id, opened!);
            }

            _metrics.LinkLaunched(result.Failure);
            if (result.Failure is not (LinkLaunchFailure.None or LinkLaunchFailure.InternalError))
            {
                NetworkLog.LinkLaunchFailed(_logger, result.Failure, result.HandshakeFailure);
            }
        }
        finally
        {
            done.TrySetResult(result);
        }
    }

    private async Task<(LinkLaunchResult Result, IPEndPoint? Endpoint)> ConnectAsync(LinkTarget target)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping);
        var token = linked.Token;
        LinkTransport? transport = null;
        IPEndPoint? endpoint = null;
        foreach (var candidate in target.Endpoints)
        {
            try
            {
                transport = await _dialer.DialAsync(candidate, token).ConfigureAwait(false);
                endpoint = candidate;
                break;
            }
            catch (OperationCanceledException)
            {
                return (LinkLaunchResult.Failed(CancelledBy()), null);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // This endpoint cannot be reached: try the next one.
            }
        }

        if (transport is null || endpoint is null)
        {
            return (LinkLaunchResult.Failed(LinkLaunchFailure.ConnectFailed), null);
        }

        ILinkHandler? handler;
        LinkKey? localKey;
        try
        {
            handler = _owner?.CreateHandler(endpoint);
            localKey = _localKey?.Invoke();
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var opened = await _runtime.ConnectAsync(transport, _kind, target.LinkKey, localKey, handler, token).ConfigureAwait(false);
        if (opened.Link is { } link)
        {
            return (LinkLaunchResult.Opened(link), endpoint);
        }

        var failure = opened.Failure switch
        {
            LinkCloseReason.HandshakeTimeout => LinkLaunchResult.Failed(LinkLaunchFailure.Timeout),
            LinkCloseReason.LocalAbort => LinkLaunchResult.Failed(CancelledBy()),
            _ => LinkLaunchResult.Failed(LinkLaunchFailure.HandshakeFailed, opened.Failure),
        };
        return (failure, null);
    }

    private LinkLaunchFailure CancelledBy() => _stopping.IsCancellationRequested ? LinkLaunchFailure.Stopped : LinkLaunchFailure.Timeout;

    private async Task ForgetWhenClosedAsync(RelayId id, Link link)
    {
        await link.Completion.ConfigureAwait(false);
        lock (_gate)
        {
            _held.Remove(link);
            if (_byRelay.TryGetValue(id, out var current) && ReferenceEquals(current, link))
            {
                _byRelay.Remove(id);
            }
        }
    }

    /// <summary>
    /// Runs every quarter of the idle timeout: a link seen without circuits starts its idle time (the latest moment it
    /// can have become idle, so no link closes early), and one idle for the whole timeout is closed.
    /// </summary>
    private void CloseIdleLinks()
    {
        List<(Link Link, TimeSpan Idle)>? idle = null;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var (link, held) in _held)
            {
                if (link.CloseReason != LinkCloseReason.None)
                {
                    continue;
                }

                if (CarriesCircuits(link))
                {
                    held.IdleSince = null;
                    continue;
                }

                var since = held.IdleSince ??= now;
                var idleFor = _time.GetElapsedTime(since, now);
                if (idleFor >= _options.IdleTimeout)
                {
                    (idle ??= []).Add((link, idleFor));
                }
            }

            if (idle is null)
            {
                return;
            }

            foreach (var (link, _) in idle)
            {
                var id = _held[link].Id;
                _held.Remove(link);
                if (_byRelay.TryGetValue(id, out var current) && ReferenceEquals(current, link))
                {
                    _byRelay.Remove(id);
                }
            }
        }

        foreach (var (link, idleFor) in idle)
        {
            _metrics.LinkIdleClosed();
            NetworkLog.LinkIdleClosed(_logger, idleFor);
            _ = link.CloseAsync();
        }
    }

    // Ids this side already destroyed only linger to absorb the peer's late cells; they carry no circuit.
    private static bool CarriesCircuits(Link link) => link.Table.Count - link.Table.DestroySentCount > 0;

    private readonly record struct LaunchKey(RelayId Id, LinkPublicKey LinkKey);

    /// <summary>The manager's note on one held link; touched only under the manager's lock.</summary>
    private sealed class HeldLink(RelayId id, long idleSince)
    {
        public RelayId Id { get; } = id;

        /// <summary>When the link was last seen without circuits, or null while it carries some.</summary>
        public long? IdleSince { get; set; } = idleSince;
    }
}
