using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The relay's network core: the listener, the links (to clients and to other relays), CREATE2 (ntor v3 with CGO, on
/// a bounded queue of handshake workers, never on a link's read loop), EXTEND2 (only to relays listed in the
/// consensus, at a listed address, over a reused or new relay link), forwarding (done by the circuits' reactors), and
/// routing messages for this relay to the hidden-point roles.
/// </summary>
public sealed class RelayEngine : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(5);

    private readonly IRelayKeys _keys;
    private readonly IConsensusSource _consensus;
    private readonly IAddressAdmission _admission;
    private readonly RelayEngineOptions _options;
    private static readonly TimeSpan s_acceptPause = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private int _handshaking;
    private readonly ILogger _logger;
    private readonly LinkRuntime _runtime;
    private readonly CircuitHandshakeResponder _responder;
    private readonly HandshakeQueue<HandshakeJob> _queue;
    private readonly ConcurrentDictionary<RelayCircuitContext, byte> _circuits = new();
    private readonly ConcurrentDictionary<Link, EngineLinkKind> _links = new();
    private readonly ConcurrentDictionary<RelayId, Link> _relayLinks = new();
    private readonly ConcurrentDictionary<RelayId, Lazy<Task<Link?>>> _connecting = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _stopping;
    private readonly int[] _linkCounts = new int[3];
    private RelayIndex _index = RelayIndex.Empty;
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private Task _acceptLoop = Task.CompletedTask;
    private TaskCompletionSource? _drained;
    private volatile bool _accepting;
    private int _disposed;
    private bool _noConsensusLogged;

    /// <summary>Creates the engine; the options are validated here.</summary>
    public RelayEngine(
        IRelayKeys keys,
        IConsensusSource consensus,
        IAddressAdmission admission,
        IntroductionPointRole introductionPoint,
        RendezvousPointRole rendezvousPoint,
        DirectoryStreamRole directoryStreams,
        IOptions<RelayEngineOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory)
        : this(keys, consensus, admission, (IRelayMessageRole)introductionPoint, rendezvousPoint, directoryStreams, options, timeProvider, loggerFactory, meterFactory)
    {
    }

    /// <summary>As the public constructor, with any roles (tests and benchmarks answer messages of their own).</summary>
    internal RelayEngine(
        IRelayKeys keys,
        IConsensusSource consensus,
        IAddressAdmission admission,
        IRelayMessageRole introductionPoint,
        IRelayMessageRole rendezvousPoint,
        IRelayMessageRole directoryStreams,
        IOptions<RelayEngineOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(introductionPoint);
        ArgumentNullException.ThrowIfNull(rendezvousPoint);
        ArgumentNullException.ThrowIfNull(directoryStreams);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _options = options.Value;
        _options.Validate();
        _stopping = _lifetime.Token;
        _keys = keys;
        _consensus = consensus;
        _admission = admission;
        Introduction = introductionPoint;
        Rendezvous = rendezvousPoint;
        Directory = directoryStreams;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger("HiddenPoint.Relay.Engine");
        _runtime = new LinkRuntime(Options.Create(_options.Link), Options.Create(_options.Circuit), timeProvider, loggerFactory, meterFactory);
        _responder = new CircuitHandshakeResponder(keys);
        Metrics = new RelayEngineMetrics(meterFactory, () => OpenCircuits, () => (LinkCount(EngineLinkKind.Client), LinkCount(EngineLinkKind.RelayIn), LinkCount(EngineLinkKind.RelayOut)));
        var workers = _options.HandshakeWorkers == 0 ? Environment.ProcessorCount : _options.HandshakeWorkers;
        _queue = new HandshakeQueue<HandshakeJob>(_options.HandshakeQueueCapacity, _options.HandshakeMaxWait, workers, timeProvider, RunHandshake, DropHandshake);
    }

    /// <summary>Where the listener is bound once started.</summary>
    public IPEndPoint? LocalEndPoint => _localEndPoint;

    /// <summary>Circuits open through or at this relay.</summary>
    public int OpenCircuits => _circuits.Count;

    /// <summary>
    /// The circuits this relay accepted and that are still open (a snapshot; safe from any thread), for the memory
    /// limit's choice of circuits to close and for metrics.
    /// </summary>
    public IReadOnlyCollection<RelayCircuitContext> Circuits => (IReadOnlyCollection<RelayCircuitContext>)_circuits.Keys;

    internal RelayEngineMetrics Metrics { get; }

    internal IRelayMessageRole Introduction { get; }

    internal IRelayMessageRole Rendezvous { get; }

    internal IRelayMessageRole Directory { get; }

    /// <summary>The runtime every link of this engine runs on (its cell pool, options, clock).</summary>
    internal LinkRuntime Runtime => _runtime;

    /// <summary>Open links of <paramref name="kind"/>.</summary>
    internal int LinkCount(EngineLinkKind kind) => Volatile.Read(ref _linkCounts[(int)kind]);

    /// <summary>Binds the listener on <paramref name="listen"/> and starts accepting links.</summary>
    public Task StartAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_listener is not null)
        {
            throw new InvalidOperationException("The engine is started already.");
        }

        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _localEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = true;
        _acceptLoop = AcceptLoopAsync(listener);
        RelayEngineLog.Listening(_logger);
        return Task.CompletedTask;
    }

    /// <summary>Closes the listener and refuses new circuits; open circuits carry on.</summary>
    public void StopAccepting()
    {
        Interlocked.CompareExchange(ref _drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        if (!_accepting && _listener is null)
        {
            return;
        }

        _accepting = false;
        Interlocked.Exchange(ref _listener, null)?.Dispose();
        RelayEngineLog.StoppedAccepting(_logger);
    }

    /// <summary>Waits until no circuit is open, or <paramref name="wait"/> has passed.</summary>
    public async Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        var drained = Volatile.Read(ref _drained)!;
        if (_circuits.IsEmpty)
        {
            return;
        }

        try
        {
            await drained.Task.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RelayEngineLog.Drained(_logger, OpenCircuits);
        }
    }

    /// <summary>Destroys every remaining circuit (DESTROY both ways) and closes every link.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopAccepting();
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _queue.DisposeAsync().ConfigureAwait(false);
        await IgnoreFaultsAsync(_acceptLoop).ConfigureAwait(false);

        var closing = new List<Task>();
        foreach (var context in _circuits.Keys)
        {
            closing.Add(context.Circuit.CloseAsync());
        }

        await WaitBoundedAsync(Task.WhenAll(closing)).ConfigureAwait(false);

        closing.Clear();
        foreach (var link in _links.Keys)
        {
            closing.Add(link.CloseAsync());
        }

        await WaitBoundedAsync(Task.WhenAll(closing)).ConfigureAwait(false);
        foreach (var link in _links.Keys)
        {
            link.Abort();
        }

        _runtime.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>
    /// Ends every link at once, as a crash would: no DESTROY leaves this relay, so its neighbours learn of the loss
    /// from their links alone.
    /// </summary>
    internal void AbortAllLinks()
    {
        StopAccepting();
        foreach (var link in _links.Keys)
        {
            link.Abort();
        }
    }

    internal void StartExtend(RelayCircuitContext context, Extend2Message message) => _ = ExtendAsync(context, message);

    internal void OnCircuitClosed(RelayCircuitContext context)
    {
        _circuits.TryRemove(context, out _);
        if (_circuits.IsEmpty)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    internal void OnCreateRequest(EngineLink state, Link link, CircuitId circuitId, CellBuffer create2)
    {
        if (!_accepting)
        {
            Refuse(link, circuitId, create2, DestroyReason.Hibernating, "stopping");
            return;
        }

        var refusal = IsListedRelay(link) ? _admission.TryAdmitRelayCircuit() : _admission.TryAdmitCircuit(state.Address);
        if (refusal != AdmissionRefusal.None)
        {
            Refuse(link, circuitId, create2, DestroyReason.ResourceLimit, ReasonName(refusal));
            return;
        }

        if (!_queue.TryEnqueue(new HandshakeJob(link, circuitId, create2)))
        {
            Refuse(link, circuitId, create2, DestroyReason.ResourceLimit, "queue_full");
        }
    }

    private static string ReasonName(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.TooManyConnections => "too_many_connections",
        AdmissionRefusal.ConnectionRate => "connection_rate",
        AdmissionRefusal.CircuitRate => "circuit_rate",
        AdmissionRefusal.Marked => "marked",
        AdmissionRefusal.MemoryLimit => "memory_limit",
        _ => "refused",
    };

    private static string FailureName(HandshakeFailure failure) => failure switch
    {
        HandshakeFailure.MalformedCell => "malformed",
        HandshakeFailure.UnsupportedType => "unsupported_type",
        HandshakeFailure.WrongKey => "wrong_key",
        HandshakeFailure.BadHandshake => "bad_handshake",
        HandshakeFailure.NoCgo => "no_cgo",
        _ => "none",
    };

    private static async Task IgnoreFaultsAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Shutdown goes on whatever a loop ended with.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static async void Forget(ValueTask<bool> send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A refusal that cannot be sent changes nothing: the link is closing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task WaitBoundedAsync(Task task)
    {
        try
        {
            await task.WaitAsync(s_shutdownWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Refuse(Link link, CircuitId circuitId, CellBuffer create2, DestroyReason reason, string metricReason)
    {
        link.Pool.Return(create2);
        Metrics.CircuitRefused(metricReason);
        RelayEngineLog.CircuitRefused(_logger, metricReason);
        Forget(link.RejectCircuitAsync(circuitId, reason));
    }

    private void RunHandshake(HandshakeJob job)
    {
        var link = job.Link;
        if (!_accepting)
        {
            Refuse(link, job.CircuitId, job.Create2, DestroyReason.Hibernating, "stopping");
            return;
        }

        var created = link.Pool.Rent();
        Span<byte> bindingKey = stackalloc byte[CircuitKeySchedule.BindingKeyLength];
        EngineCircuitHandler handler;
        CgoRelayHop hop;
        try
        {
            // A fault in here leaves the CREATE2 with the queue, which refuses it (DropHandshake).
            var failure = _responder.TryRespond(job.Create2.Body, created.Body, bindingKey, out var relayHop);
            if (failure != HandshakeFailure.None)
            {
                link.Pool.Return(created);
                Metrics.HandshakeFailed(FailureName(failure));
                Refuse(link, job.CircuitId, job.Create2, DestroyReason.Protocol, FailureName(failure));
                return;
            }

            hop = relayHop!;
            handler = new EngineCircuitHandler(this, bindingKey);
        }
        catch (Exception ex)
        {
            // The CREATE2 goes back with the queue's refusal; the reply buffer is ours to give back, and the fault is
            // logged here because the queue only refuses.
            RelayEngineLog.Fault(_logger, ex);
            link.Pool.Return(created);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bindingKey);
        }

        link.Pool.Return(job.Create2);
        Metrics.Handshake();
        RelayCircuit? circuit = null;
        try
        {
            circuit = link.AcceptRelayCircuit(job.CircuitId, hop, created, handler);
            if (circuit is null)
            {
                handler.Abandon();
                return;
            }

            Metrics.CircuitCreated();
            var context = handler.EnsureContext(circuit);
            _circuits.TryAdd(context, 0);
            if (handler.IsClosed)
            {
                OnCircuitClosed(context);
            }
        }
#pragma warning disable CA1031 // A fault while opening one circuit refuses that circuit only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(_logger, ex);
            if (circuit is null)
            {
                // No circuit took the hop: wipe its keys here.
                hop.Dispose();
            }

            handler.Abandon();
            Metrics.CircuitRefused("fault");
            Forget(link.RejectCircuitAsync(job.CircuitId, DestroyReason.Internal));
        }
    }

    private void DropHandshake(HandshakeJob job, HandshakeDrop why)
    {
        var reason = why switch
        {
            HandshakeDrop.Expired => "queue_timeout",
            HandshakeDrop.Stopped => "stopping",
            _ => "fault",
        };
        Refuse(job.Link, job.CircuitId, job.Create2, why == HandshakeDrop.Fault ? DestroyReason.Internal : DestroyReason.ResourceLimit, reason);
    }

    private bool IsListedRelay(Link link) =>
        link.Kind == LinkKind.RelayToRelay && link.PeerLinkKey is { } key && Index().ByLinkKey.ContainsKey(key);

    private RelayIndex Index()
    {
        if (!_consensus.TryGetUsable(out var consensus, out var reason))
        {
            if (!_noConsensusLogged)
            {
                _noConsensusLogged = true;
                RelayEngineLog.NoConsensus(_logger, reason);
            }

            return RelayIndex.Empty;
        }

        var index = Volatile.Read(ref _index);
        if (ReferenceEquals(index.Consensus, consensus))
        {
            return index;
        }

        // A new consensus: the link-key index is rebuilt once, and readers meanwhile use either one.
        index = RelayIndex.Build(consensus);
        Volatile.Write(ref _index, index);
        return index;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var token = _stopping;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (!_accepting)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // A connection reset before it was accepted: nothing to do for it.
                continue;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors or buffers: retrying at once would spin a core. Pause, and let links close.
                RelayEngineLog.AcceptStalled(_logger, ex.SocketErrorCode);
                try
                {
                    await Task.Delay(s_acceptPause, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _ = AcceptOneAsync(socket);
        }
    }

    private async Task AcceptOneAsync(Socket socket)
    {
        IDisposable? lease = null;

        // Connections still in their handshake count against MaxLinks too: many addresses each holding handshakes
        // open for the handshake timeout must not run the process out of file descriptors.
        var handshaking = Interlocked.Increment(ref _handshaking);
        try
        {
            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (_links.Count + handshaking > _options.MaxLinks)
            {
                RefuseConnection(socket, "max_links");
                return;
            }

            var refusal = _admission.TryAdmitConnection(remote, out lease);
            if (refusal != AdmissionRefusal.None)
            {
                lease?.Dispose();
                lease = null;
                RefuseConnection(socket, ReasonName(refusal));
                return;
            }

            socket.NoDelay = true;
            var state = new EngineLink(this, remote);
            // During a link-key rotation's overlap, initiators that still hold the previous key are answered with it.
            var keys = _keys.Current;
            var result = await _runtime.AcceptAsync(LinkTransport.FromSocket(socket), keys.LinkKey, keys.PreviousLinkKey, AcceptedLinkKinds.All, state, _stopping).ConfigureAwait(false);
            if (result.Link is not { } link)
            {
                return;
            }

            var kind = link.Kind == LinkKind.RelayToRelay ? EngineLinkKind.RelayIn : EngineLinkKind.Client;
            Track(link, kind, lease);
            lease = null;
            if (kind == EngineLinkKind.RelayIn && link.PeerLinkKey is { } peerKey && Index().ByLinkKey.TryGetValue(peerKey, out var peer))
            {
                // A listed relay's link is kept for reuse when this relay extends to it.
                _relayLinks.AddOrUpdate(peer.Id, link, (_, existing) => existing.CloseReason == LinkCloseReason.None ? existing : link);
            }
        }
#pragma warning disable CA1031 // One connection's fault closes that connection only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(_logger, ex);
            socket.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref _handshaking);
            lease?.Dispose();
        }
    }

    private void RefuseConnection(Socket socket, string reason)
    {
        Metrics.ConnectionRefused(reason);
        RelayEngineLog.ConnectionRefused(_logger, reason);
        socket.Dispose();
    }

    private void Track(Link link, EngineLinkKind kind, IDisposable? lease)
    {
        _links[link] = kind;
        Interlocked.Increment(ref _linkCounts[(int)kind]);
        _ = UntrackWhenClosedAsync(link, kind, lease);
    }

    private async Task UntrackWhenClosedAsync(Link link, EngineLinkKind kind, IDisposable? lease)
    {
        await link.Completion.ConfigureAwait(false);
        _links.TryRemove(link, out _);
        Interlocked.Decrement(ref _linkCounts[(int)kind]);
        foreach (var entry in _relayLinks)
        {
            if (ReferenceEquals(entry.Value, link))
            {
                _relayLinks.TryRemove(entry);
            }
        }

        lease?.Dispose();
    }

    private async Task ExtendAsync(RelayCircuitContext context, Extend2Message message)
    {
        string result;
        try
        {
            result = await ExtendCoreAsync(context, message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A fault while extending closes that circuit only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(_logger, ex);
            result = "fault";
        }

        Metrics.Extend(result);
        if (result != "ok")
        {
            // HiddenPoint has no TRUNCATED: a failed extension ends the circuit, and the client builds another.
            RelayEngineLog.ExtendFailed(_logger, result);
            _ = context.Circuit.CloseAsync();
        }
    }

    private async Task<string> ExtendCoreAsync(RelayCircuitContext context, Extend2Message message)
    {
        if (message.HandshakeType != HandshakeType.NtorV3 || message.HandshakeData.Length > Create2Body.MaxHandshakeLength)
        {
            return "bad_handshake";
        }

        var index = Index();
        if (index.Consensus is null)
        {
            return "no_consensus";
        }

        if (!index.Consensus.TryGetRelay(message.Target.Identity, out var target))
        {
            return "unknown_relay";
        }

        if (target.Id == _keys.Id)
        {
            return "self";
        }

        var endpoint = ListedEndpoint(target, message.Target);
        if (endpoint is null)
        {
            return "address_not_listed";
        }

        using var timeout = new CancellationTokenSource(_options.ExtendTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping);
        Link? link;
        try
        {
            link = await RelayLinkAsync(target, endpoint).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return "timeout";
        }

        if (link is null)
        {
            return "connect_failed";
        }

        if (!link.TryBeginCircuit(out var pending))
        {
            return "link_full";
        }

        var create = link.Pool.Rent();
        new Create2Body(message.HandshakeType, message.HandshakeData).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        CircuitCreateResponse response;
        try
        {
            if (!await link.SendAsync(create, linked.Token).ConfigureAwait(false))
            {
                return "link_closed";
            }

            response = await pending.Response.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await link.AbandonAsync(pending, DestroyReason.Timeout).ConfigureAwait(false);
            return "timeout";
        }

        if (response.Failure != CircuitCloseReason.None)
        {
            return response.Failure == CircuitCloseReason.DestroyedByPeer ? "refused" : "link_closed";
        }

        var decoded = Created2Body.TryDecode(response.Created2.Body, out var created, out _);
        link.Pool.Return(response.Created2);
        if (!decoded || created!.HandshakeData.Length > RelayCell.MaxDataLength(RelayCommand.Extended2) - 2)
        {
            await link.AbandonAsync(pending, DestroyReason.Protocol).ConfigureAwait(false);
            return "bad_created2";
        }

        if (!context.Circuit.AttachOutward(pending))
        {
            await link.AbandonAsync(pending, DestroyReason.Finished).ConfigureAwait(false);
            return "circuit_closed";
        }

        var reply = context.Circuit.Pool.Rent();
        RelayCell.Encode(reply.Body, new Extended2Message(created.HandshakeData), default, RandomPaddingSource.Instance);
        var sent = await context.Circuit.SendAsync(reply).ConfigureAwait(false);
        return sent == CircuitSendResult.Queued ? "ok" : "circuit_closed";
    }

    /// <summary>The address from the link specifiers, when the consensus lists it for the relay; null otherwise.</summary>
    private static IPEndPoint? ListedEndpoint(RelayStatus target, LinkSpecifiers specifiers)
    {
        foreach (var candidate in (ReadOnlySpan<IPEndPoint?>)[specifiers.IPv4, specifiers.IPv6])
        {
            if (candidate is null || candidate.Port is <= 0 or > ushort.MaxValue)
            {
                continue;
            }

            var wanted = new RelayAddress(candidate.Address, (ushort)candidate.Port);
            foreach (var listed in target.Addresses)
            {
                if (listed == wanted)
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>An open link to <paramref name="target"/>: one already open, or one attempt shared by every caller.</summary>
    private Task<Link?> RelayLinkAsync(RelayStatus target, IPEndPoint endpoint)
    {
        if (_relayLinks.TryGetValue(target.Id, out var existing)
            && existing.CloseReason == LinkCloseReason.None
            && existing.PeerLinkKey == target.LinkKey)
        {
            return Task.FromResult<Link?>(existing);
        }

        Lazy<Task<Link?>>? attempt = null;
        attempt = new Lazy<Task<Link?>>(() => ConnectRelayAsync(target, endpoint, attempt!));
        return _connecting.GetOrAdd(target.Id, attempt).Value;
    }

    private async Task<Link?> ConnectRelayAsync(RelayStatus target, IPEndPoint endpoint, Lazy<Task<Link?>> attempt)
    {
        await Task.Yield();
        try
        {
            if (_links.Count >= _options.MaxLinks)
            {
                RelayEngineLog.RelayLinkFailed(_logger, "max_links");
                return null;
            }

            using var timeout = new CancellationTokenSource(_options.ExtendTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping);
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                RelayEngineLog.RelayLinkFailed(_logger, "connect");
                return null;
            }

            var state = new EngineLink(this, endpoint.Address);
            var result = await _runtime.ConnectAsync(
                LinkTransport.FromSocket(socket), LinkKind.RelayToRelay, target.LinkKey, _keys.Current.LinkKey, state, linked.Token).ConfigureAwait(false);
            if (result.Link is not { } link)
            {
                RelayEngineLog.RelayLinkHandshakeFailed(_logger, result.Failure);
                return null;
            }

            Track(link, EngineLinkKind.RelayOut, lease: null);
            _relayLinks[target.Id] = link;
            return link;
        }
        finally
        {
            // Removed after the link is registered, so that a caller arriving now finds one or the other.
            _connecting.TryRemove(new KeyValuePair<RelayId, Lazy<Task<Link?>>>(target.Id, attempt));
        }
    }

    private readonly record struct HandshakeJob(Link Link, CircuitId CircuitId, CellBuffer Create2);
}

/// <summary>What a link of the engine connects.</summary>
internal enum EngineLinkKind
{
    /// <summary>A client's link (Noise NK) to this relay.</summary>
    Client = 0,

    /// <summary>Another relay's link to this relay (Noise XK, this side responded).</summary>
    RelayIn = 1,

    /// <summary>This relay's link to another relay (opened for an EXTEND2).</summary>
    RelayOut = 2,
}

/// <summary>The engine's handler of one link: where its CREATE2s go, and the peer's address for admission.</summary>
internal sealed class EngineLink(RelayEngine engine, IPAddress address) : ILinkHandler
{
    /// <summary>The peer's address (for a link this relay opened, the address it connected to).</summary>
    public IPAddress Address { get; } = address;

    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2) => engine.OnCreateRequest(this, link, circuitId, create2);
}

/// <summary>The consensus's relays indexed by link key, rebuilt when the consensus changes.</summary>
internal sealed class RelayIndex
{
    private RelayIndex(Consensus? consensus, Dictionary<LinkPublicKey, RelayStatus> byLinkKey)
    {
        Consensus = consensus;
        ByLinkKey = byLinkKey;
    }

    public static RelayIndex Empty { get; } = new(null, []);

    public Consensus? Consensus { get; }

    /// <summary>Relays by link key (X25519 keys hash with a per-process key, so lookups by a peer's key are safe).</summary>
    public Dictionary<LinkPublicKey, RelayStatus> ByLinkKey { get; }

    public static RelayIndex Build(Consensus consensus)
    {
        var byLinkKey = new Dictionary<LinkPublicKey, RelayStatus>(consensus.Relays.Count);
        foreach (var relay in consensus.Relays)
        {
            byLinkKey.TryAdd(relay.LinkKey, relay);
        }

        return new RelayIndex(consensus, byLinkKey);
    }
}
