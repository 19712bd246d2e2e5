using System.Diagnostics.Metrics;
using System.Net;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The relay's network core, composed of one part per job: the listener and connection admission
/// (<see cref="ConnectionListener"/>), CREATE2 and the circuits this relay accepted (<see cref="CircuitAcceptor"/>),
/// EXTEND2 (<see cref="CircuitExtender"/>, over the <see cref="LinkManager"/> that reuses or launches relay links),
/// the links and their counts (<see cref="EngineLinks"/>), and the consensus as the engine reads it
/// (<see cref="ListedRelays"/>). Forwarding is the circuits' reactors' own; messages for this relay go to the
/// hidden-point roles (<see cref="EngineCircuitHandler"/>). The engine itself starts, stops, drains and disposes.
/// </summary>
public sealed class RelayEngine : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LinkRuntime _runtime;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly EngineLinks _links;
    private readonly CircuitAcceptor _acceptor;
    private readonly LinkManager _relayLinks;
    private readonly CircuitExtender _extender;
    private readonly ConnectionListener _listener;
    private int _stoppedAccepting;
    private int _disposed;

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
        var engineOptions = options.Value;
        engineOptions.Validate();
        var stopping = _lifetime.Token;
        Introduction = introductionPoint;
        Rendezvous = rendezvousPoint;
        Directory = directoryStreams;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger("HiddenPoint.Relay.Engine");
        _runtime = new LinkRuntime(Options.Create(engineOptions.Link), Options.Create(engineOptions.Circuit), timeProvider, loggerFactory, meterFactory);
        Metrics = new RelayEngineMetrics(meterFactory, () => OpenCircuits, () => (LinkCount(EngineLinkKind.Client), LinkCount(EngineLinkKind.RelayIn), LinkCount(EngineLinkKind.RelayOut)));
        Violations = new CircuitViolations(engineOptions, timeProvider, Metrics, _logger);
        var listed = new ListedRelays(consensus, _logger);
        _acceptor = new CircuitAcceptor(this, keys, admission, listed, engineOptions, timeProvider, Metrics, _logger);
        _links = new EngineLinks(_acceptor, engineOptions.MaxLinks);

        // Relay links only (Noise XK, with the link key current at each launch); the engine's own cap covers them and
        // every other link (EngineLinks.MayLaunch).
        var linkManagerOptions = new LinkManagerOptions
        {
            MaxLinks = engineOptions.MaxLinks,
            ConnectTimeout = engineOptions.ExtendTimeout,
            IdleTimeout = engineOptions.RelayLinkIdleTimeout,
        };
        _relayLinks = new LinkManager(_runtime, Options.Create(linkManagerOptions), () => keys.Current.LinkKey, TcpLinkDialer.Instance, _links);
        _extender = new CircuitExtender(keys, listed, _relayLinks, engineOptions, timeProvider, Metrics, _logger, stopping);
        _listener = new ConnectionListener(keys, admission, _runtime, _links, listed, _relayLinks, _acceptor, Metrics, timeProvider, _logger, stopping);
    }

    /// <summary>Where the listener is bound once started.</summary>
    public IPEndPoint? LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>Circuits open through or at this relay.</summary>
    public int OpenCircuits => _acceptor.OpenCircuits;

    /// <summary>
    /// The circuits this relay accepted and that are still open (a snapshot; safe from any thread), for the memory
    /// limit's choice of circuits to close and for metrics.
    /// </summary>
    public IReadOnlyCollection<RelayCircuitContext> Circuits => _acceptor.Circuits;

    internal RelayEngineMetrics Metrics { get; }

    /// <summary>The rule for circuits closed for a protocol violation and the links they came on.</summary>
    internal CircuitViolations Violations { get; }

    internal IRelayMessageRole Introduction { get; }

    internal IRelayMessageRole Rendezvous { get; }

    internal IRelayMessageRole Directory { get; }

    /// <summary>The runtime every link of this engine runs on (its cell pool, options, clock).</summary>
    internal LinkRuntime Runtime => _runtime;

    /// <summary>The links to other relays this engine reuses or launches for EXTEND2.</summary>
    internal LinkManager RelayLinks => _relayLinks;

    /// <summary>Open links of <paramref name="kind"/>.</summary>
    internal int LinkCount(EngineLinkKind kind) => _links.CountOf(kind);

    /// <summary>Binds the listener on <paramref name="listen"/> and starts accepting links.</summary>
    public Task StartAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        _listener.Start(listen);
        _acceptor.StartAccepting();
        RelayEngineLog.Listening(_logger);
        return Task.CompletedTask;
    }

    /// <summary>Closes the listener and refuses new circuits; open circuits carry on.</summary>
    public void StopAccepting()
    {
        _acceptor.StopAccepting();
        if (!_listener.IsListening || Interlocked.Exchange(ref _stoppedAccepting, 1) != 0)
        {
            return;
        }

        _listener.Stop();
        RelayEngineLog.StoppedAccepting(_logger);
    }

    /// <summary>Waits until no circuit is open, or <paramref name="wait"/> has passed.</summary>
    public async Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var empty = _acceptor.WhenEmpty();
        if (empty.IsCompleted)
        {
            return;
        }

        try
        {
            await empty.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
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
        await _acceptor.DisposeAsync().ConfigureAwait(false);
        await IgnoreFaultsAsync(_listener.Completion).ConfigureAwait(false);

        // Circuits first, so that their DESTROYs go out on links still open; then the links.
        var closing = new List<Task>();
        foreach (var context in _acceptor.Circuits)
        {
            closing.Add(context.Circuit.CloseAsync());
        }

        await WaitBoundedAsync(Task.WhenAll(closing)).ConfigureAwait(false);

        closing.Clear();
        foreach (var link in _links.All)
        {
            closing.Add(link.CloseAsync());
        }

        await WaitBoundedAsync(Task.WhenAll(closing)).ConfigureAwait(false);
        foreach (var link in _links.All)
        {
            link.Abort();
        }

        // Ends launches still in flight (a link they open now is aborted) and lets go of the links already closed.
        await WaitBoundedAsync(_relayLinks.DisposeAsync().AsTask()).ConfigureAwait(false);
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
        foreach (var link in _links.All)
        {
            link.Abort();
        }
    }

    internal void StartExtend(RelayCircuitContext context, Extend2Message message) => _extender.Start(context, message);

    /// <summary>An EXTEND2 did not decode: counted and logged at Debug like any failed extension; the circuit closes.</summary>
    internal void OnMalformedExtend()
    {
        Metrics.Extend(ExtendOutcome.Malformed);
        RelayEngineLog.ExtendFailed(_logger, ExtendOutcome.Malformed);
    }

    internal void OnCircuitClosed(RelayCircuitContext context) => _acceptor.OnCircuitClosed(context);

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
}
