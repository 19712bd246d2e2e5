using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Protocol.Cells;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Links;

/// <summary>The outcome of opening a link: the link, or why the handshake failed (the transport is then closed).</summary>
/// <param name="Link">The open link, when the handshake succeeded.</param>
/// <param name="Failure">Why it failed, or <see cref="LinkCloseReason.None"/>.</param>
public readonly record struct LinkOpenResult(Link? Link, LinkCloseReason Failure)
{
    /// <summary>True when <see cref="Link"/> is set.</summary>
    public bool IsOpen => Link is not null;
}

/// <summary>
/// Opens links: runs the Noise handshake over a transport (with <see cref="LinkOptions.HandshakeTimeout"/>), then
/// starts the link. Holds what every link and circuit of a process shares: options, clock, logger, metrics and the
/// cell pool. Register one per process (a singleton).
/// </summary>
public sealed class LinkRuntime : IDisposable
{
    private readonly ConcurrentDictionary<Link, byte> _open = new();
    private long _nextLinkNumber;

    /// <summary>Creates the runtime; both options are validated here, so a bad value fails at start.</summary>
    public LinkRuntime(
        IOptions<LinkOptions> linkOptions,
        IOptions<CircuitOptions> circuitOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(linkOptions);
        ArgumentNullException.ThrowIfNull(circuitOptions);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        LinkOptions = linkOptions.Value;
        CircuitOptions = circuitOptions.Value;
        LinkOptions.Validate();
        CircuitOptions.Validate();
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("HiddenPoint.Network");
        Metrics = new NetworkMetrics(meterFactory);
        Pool = new CellPool();
    }

    /// <summary>The link options in force.</summary>
    public LinkOptions LinkOptions { get; }

    /// <summary>The circuit options in force.</summary>
    public CircuitOptions CircuitOptions { get; }

    /// <summary>The clock every timeout reads.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The buffers cells travel in.</summary>
    public CellPool Pool { get; }

    /// <summary>The cells this runtime's circuit reactors hold queued, for a memory limit to read.</summary>
    public CircuitQueueAccount QueuedCells { get; } = new();

    /// <summary>The cells this runtime's links hold for writing, for a memory limit to read.</summary>
    public LinkQueueAccount OutboundCells { get; } = new();

    /// <summary>Bytes of every cell this runtime holds queued: in circuit reactors and in links' outbound queues.</summary>
    public long QueuedBytes => QueuedCells.Bytes + OutboundCells.Bytes;

    /// <summary>
    /// The links of this runtime that are open now (a snapshot; safe from any thread), for a memory limit's choice of
    /// the link to close.
    /// </summary>
    public IReadOnlyCollection<Link> OpenLinks => (IReadOnlyCollection<Link>)_open.Keys;

    internal ILogger Logger { get; }

    internal NetworkMetrics Metrics { get; }

    /// <summary>
    /// Opens a link as initiator. <paramref name="expectedResponder"/> is the relay's link key as the consensus lists
    /// it: a responder with any other key fails the handshake (<see cref="LinkCloseReason.HandshakeAuthenticationFailed"/>)
    /// before any cell flows. <paramref name="localStatic"/> is this relay's link key for
    /// <see cref="LinkKind.RelayToRelay"/> (an X25519 key pair) and must be null for a client link. The transport
    /// belongs to the link (or is disposed on failure).
    /// </summary>
    public async Task<LinkOpenResult> ConnectAsync(
        LinkTransport transport,
        LinkKind kind,
        LinkPublicKey expectedResponder,
        LinkKey? localStatic,
        ILinkHandler? handler = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if ((kind == LinkKind.RelayToRelay) != (localStatic is not null))
        {
            throw new ArgumentException("A relay link needs this relay's link key; a client link must not have one.", nameof(localStatic));
        }

        if (expectedResponder.Key.Bytes.Length != X25519PublicKey.Length)
        {
            throw new ArgumentException("The expected responder key is empty.", nameof(expectedResponder));
        }

        using var clock = new CancellationTokenSource(LinkOptions.HandshakeTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clock.Token);
        HandshakeOutcome outcome;
        try
        {
            outcome = await LinkHandshake.InitiateAsync(transport, kind, localStatic, expectedResponder, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsHandshakeFault(ex))
        {
            outcome = new HandshakeOutcome(null, kind, Map(ex, cancellationToken));
        }

        return await FinishAsync(transport, outcome, LinkSide.Initiator, expectedResponder, handler).ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts a link as responder with this relay's link key. An XK initiator's proven key is then on
    /// <see cref="Link.PeerLinkKey"/> for the caller to match against the consensus; a client stays anonymous.
    /// </summary>
    public Task<LinkOpenResult> AcceptAsync(
        LinkTransport transport,
        LinkKey localStatic,
        AcceptedLinkKinds accepted,
        ILinkHandler? handler,
        CancellationToken cancellationToken = default) =>
        AcceptAsync(transport, localStatic, null, accepted, handler, cancellationToken);

    /// <summary>
    /// Accepts a link as responder with this relay's link key or, during a key rotation's overlap, with the key it
    /// used before (<paramref name="previousStatic"/>): an initiator that still holds a consensus listing the previous
    /// key gets through. The first handshake message is tried against the current key, then the previous one.
    /// </summary>
    public async Task<LinkOpenResult> AcceptAsync(
        LinkTransport transport,
        LinkKey localStatic,
        LinkKey? previousStatic,
        AcceptedLinkKinds accepted,
        ILinkHandler? handler,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(localStatic);
        using var clock = new CancellationTokenSource(LinkOptions.HandshakeTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clock.Token);
        HandshakeOutcome outcome;
        try
        {
            outcome = await LinkHandshake.RespondAsync(transport, localStatic, previousStatic, accepted, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsHandshakeFault(ex))
        {
            outcome = new HandshakeOutcome(null, default, Map(ex, cancellationToken));
        }

        LinkPublicKey? peer = null;
        if (outcome.Transport?.RemoteStaticKey is { } remote)
        {
            peer = new LinkPublicKey(remote);
        }

        return await FinishAsync(transport, outcome, LinkSide.Responder, peer, handler).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => Metrics.Dispose();

    private static bool IsHandshakeFault(Exception ex) =>
        ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException;

    private static LinkCloseReason Map(Exception ex, CancellationToken caller) => ex switch
    {
        OperationCanceledException when caller.IsCancellationRequested => LinkCloseReason.LocalAbort,
        OperationCanceledException => LinkCloseReason.HandshakeTimeout,
        _ => LinkCloseReason.TransportError,
    };

    private async Task<LinkOpenResult> FinishAsync(
        LinkTransport transport, HandshakeOutcome outcome, LinkSide side, LinkPublicKey? peer, ILinkHandler? handler)
    {
        if (outcome.Transport is null)
        {
            Metrics.HandshakeFailed(outcome.Failure);
            NetworkLog.HandshakeFailed(Logger, outcome.Failure);
            await transport.DisposeAsync().ConfigureAwait(false);
            return new LinkOpenResult(null, outcome.Failure);
        }

        var number = Interlocked.Increment(ref _nextLinkNumber);
        var link = new Link(number, transport, outcome.Transport, outcome.Kind, side, peer, this, handler);
        _open.TryAdd(link, 0);
        link.Start(Logger);
        return new LinkOpenResult(link, LinkCloseReason.None);
    }

    /// <summary>Called once by a link that has closed and released everything.</summary>
    internal void OnLinkClosed(Link link) => _open.TryRemove(link, out _);
}
