using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.DirectoryAuthority.Reachability;

/// <summary>How a relay's reachability test ended.</summary>
public enum ReachabilityOutcome
{
    /// <summary>The relay answered the Noise handshake with the link key its descriptor lists.</summary>
    Reachable = 1,

    /// <summary>The TCP connection was refused or the address is unreachable.</summary>
    ConnectFailed,

    /// <summary>No answer in time: the TCP connect or the handshake stalled (a firewall, or a silent listener).</summary>
    TimedOut,

    /// <summary>Something answered but the handshake failed: another key, or not a HiddenPoint relay.</summary>
    HandshakeFailed,

    /// <summary>The round's testing time ran out before this relay's turn.</summary>
    NotTested,
}

/// <summary>The outcome of one test, with a detail for the debug log (a socket error or a link close reason).</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">Why, in a word.</param>
public readonly record struct ReachabilityResult(ReachabilityOutcome Outcome, string Detail)
{
    /// <summary>True when the relay answered with its listed key.</summary>
    public bool IsReachable => Outcome == ReachabilityOutcome.Reachable;
}

/// <summary>
/// Tests that relays answer on their link port before the authority votes them Running: a TCP connection to the
/// descriptor's first address, then a client-kind (Noise NK) handshake that succeeds only if the responder holds the
/// descriptor's link key; the link is then closed at once. Results are kept for the voting period they were made for,
/// so a relay is tested once per round; a new descriptor (another key or address) is tested afresh.
/// </summary>
/// <remarks>
/// The tests connect wherever a signed descriptor points, as any client would; the upload rate limit and the store's
/// size bound how many there are, and <see cref="Parallelism"/> how many run at once.
/// </remarks>
public sealed partial class RelayReachability
{
    private readonly LinkRuntime _runtime;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private DateTimeOffset _roundValidAfter;
    private Dictionary<RelayId, Tested> _round = [];

    /// <summary>Creates the tester.</summary>
    /// <param name="runtime">Opens the links; its clock times the handshake.</param>
    /// <param name="timeout">The longest one test may take (TCP connect and handshake).</param>
    /// <param name="parallelism">Tests run at once.</param>
    /// <param name="logger">Each failure is logged at Debug with its reason.</param>
    public RelayReachability(LinkRuntime runtime, TimeSpan timeout, int parallelism, ILogger<RelayReachability>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _runtime = runtime;
        _clock = runtime.TimeProvider;
        Timeout = timeout;
        Parallelism = parallelism;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The longest one test may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Tests run at once.</summary>
    public int Parallelism { get; }

    /// <summary>
    /// Tests every relay in <paramref name="relays"/> that has no result yet for the period starting at
    /// <paramref name="validAfter"/>, at most <see cref="Parallelism"/> at once, and stops when
    /// <paramref name="cancellationToken"/> fires (the vote is due): relays not tested by then count as not reachable.
    /// Returns the reachable relays' identities.
    /// </summary>
    public async Task<IReadOnlySet<RelayId>> TestRoundAsync(DateTimeOffset validAfter, IReadOnlyList<RelayDescriptor> relays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relays);
        List<RelayDescriptor> pending;
        lock (_lock)
        {
            if (validAfter != _roundValidAfter)
            {
                // A new round: every relay is tested again; the last round's results are dropped.
                _roundValidAfter = validAfter;
                _round = [];
            }

            pending = [.. relays.Where(d => !_round.TryGetValue(d.Identity, out var tested) || !tested.Matches(d))];
        }

        var results = new ConcurrentDictionary<RelayId, Tested>();
        try
        {
            await Parallel.ForEachAsync(
                pending,
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (descriptor, cancel) =>
                {
                    ReachabilityResult result;
                    try
                    {
                        result = await ProbeAsync(descriptor, cancel).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Whatever one relay's connection does, it must not cost the other relays their test (nor
                        // the round): it counts as a failed handshake.
                        result = new(ReachabilityOutcome.HandshakeFailed, e.GetType().Name);
                        Log.NotReachable(_logger, descriptor.Nickname, descriptor.Identity.ToString(), result.Outcome, result.Detail);
                    }

                    if (result.Outcome != ReachabilityOutcome.NotTested)
                    {
                        results[descriptor.Identity] = new(descriptor.LinkKey, descriptor.Addresses[0], result.IsReachable);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The vote is due: whatever was not tested is not Running this round.
        }

        lock (_lock)
        {
            if (validAfter == _roundValidAfter)
            {
                foreach (var (id, tested) in results)
                {
                    _round[id] = tested;
                }
            }

            var reachable = new HashSet<RelayId>();
            foreach (var descriptor in relays)
            {
                if (_round.TryGetValue(descriptor.Identity, out var tested) && tested.Reachable && tested.Matches(descriptor))
                {
                    reachable.Add(descriptor.Identity);
                }
            }

            Log.RoundTested(_logger, validAfter, pending.Count, results.Count, reachable.Count, relays.Count);
            return reachable;
        }
    }

    /// <summary>
    /// Tests one relay: connects to its first address and runs the client handshake expecting its link key, within
    /// <see cref="Timeout"/>. Never throws for what the network does; the link, if opened, is closed before returning.
    /// </summary>
    public async Task<ReachabilityResult> ProbeAsync(RelayDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var result = await ProbeCoreAsync(descriptor, cancellationToken).ConfigureAwait(false);
        if (!result.IsReachable)
        {
            Log.NotReachable(_logger, descriptor.Nickname, descriptor.Identity.ToString(), result.Outcome, result.Detail);
        }

        return result;
    }

    private async Task<ReachabilityResult> ProbeCoreAsync(RelayDescriptor descriptor, CancellationToken cancellationToken)
    {
        var address = descriptor.Addresses[0];
        using var timeout = new CancellationTokenSource(Timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var socket = new Socket(address.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address.Address, address.Port), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            return cancellationToken.IsCancellationRequested
                ? new(ReachabilityOutcome.NotTested, "cancelled")
                : new(ReachabilityOutcome.TimedOut, "connect");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return new(ReachabilityOutcome.ConnectFailed, e.SocketErrorCode.ToString());
        }

        // The transport owns the socket from here: the runtime disposes it when the handshake fails.
        LinkOpenResult open;
        try
        {
            open = await _runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, descriptor.LinkKey, null, null, linked.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested
                ? new(ReachabilityOutcome.NotTested, "cancelled")
                : new(ReachabilityOutcome.HandshakeFailed, e.GetType().Name);
        }

        if (open.Link is { } link)
        {
            // Only the handshake was wanted: end the link at once rather than wait for a graceful close. The relay
            // has answered by now, so a fault while tearing the link down does not change the outcome.
            try
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }

            return new(ReachabilityOutcome.Reachable, "handshake");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new(ReachabilityOutcome.NotTested, "cancelled");
        }

        return open.Failure == LinkCloseReason.HandshakeTimeout || timeout.IsCancellationRequested
            ? new(ReachabilityOutcome.TimedOut, open.Failure.ToString())
            : new(ReachabilityOutcome.HandshakeFailed, open.Failure.ToString());
    }

    private readonly record struct Tested(LinkPublicKey LinkKey, RelayAddress Address, bool Reachable)
    {
        public bool Matches(RelayDescriptor descriptor) => descriptor.LinkKey == LinkKey && descriptor.Addresses[0] == Address;
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Debug, "Relay {Nickname} ({Identity}) is not reachable: {Outcome} ({Detail})", EventName = "RelayNotReachable")]
        public static partial void NotReachable(ILogger logger, string nickname, string identity, ReachabilityOutcome outcome, string detail);

        [LoggerMessage(2102, LogLevel.Information, "Reachability for {ValidAfter}: tested {Tested} relays ({Finished} finished); {Reachable} of {Listed} reachable", EventName = "ReachabilityTested")]
        public static partial void RoundTested(ILogger logger, DateTimeOffset validAfter, int tested, int finished, int reachable, int listed);
    }
}
