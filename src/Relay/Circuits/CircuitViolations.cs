using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Relay.Diagnostics;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The engine's rule for peers that break the protocol (TEST-MATRIX FL-01). The circuit that broke it is closed by
/// its reactor on the first violation; here each such close is counted against the client link the circuit
/// came in on, and the link is aborted at its <see cref="RelayEngineOptions.MaxCircuitViolationsPerLink"/>th, so that
/// one connection cannot cost the relay a handshake and a close again and again. Links from relays the consensus lists
/// are not counted: their circuits carry other people's cells, and one client's garbage must not close a relay link.
/// Log lines are rate-limited per violation (<see cref="RelayEngineOptions.ViolationLogInterval"/>).
/// </summary>
internal sealed class CircuitViolations
{
    // One log kind per CircuitCloseReason value, and one more for the link closes.
    private static readonly int s_linkClosedKind = Enum.GetValues<CircuitCloseReason>().Max(r => (int)r) + 1;

    private readonly int _maxPerLink;
    private readonly TimeSpan _logInterval;
    private readonly LogRateLimiter _log;
    private readonly RelayEngineMetrics _metrics;
    private readonly ILogger _logger;
    private long _circuits;
    private long _links;

    public CircuitViolations(RelayEngineOptions options, TimeProvider time, RelayEngineMetrics metrics, ILogger logger)
    {
        _maxPerLink = options.MaxCircuitViolationsPerLink;
        _logInterval = options.ViolationLogInterval;
        _log = new LogRateLimiter(s_linkClosedKind + 1, options.ViolationLogInterval, time);
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Circuits closed for a violation so far (also the metric <c>hpc.relay.circuit_violations</c>).</summary>
    public long CircuitsClosed => Interlocked.Read(ref _circuits);

    /// <summary>Links aborted for their circuits' violations so far.</summary>
    public long LinksClosed => Interlocked.Read(ref _links);

    /// <summary>True for the close reasons that mean the peer broke the protocol on the circuit.</summary>
    public static bool IsViolation(CircuitCloseReason reason) => reason is CircuitCloseReason.UnrecognizedCell
        or CircuitCloseReason.ProtocolViolation
        or CircuitCloseReason.RelayEarlyViolation
        or CircuitCloseReason.SendmeViolation
        or CircuitCloseReason.WindowViolation;

    /// <summary>
    /// A circuit accepted on <paramref name="link"/> is closing for <paramref name="reason"/>, before its DESTROY is
    /// sent: a violation is counted, logged (rate-limited) and, when <paramref name="owner"/> (null for a listed
    /// relay's link) reaches the limit, the link is aborted, once, so the peer learns of the tenth close only by
    /// losing the link and cannot open an eleventh circuit on it.
    /// </summary>
    public void OnCircuitClosing(EngineLink? owner, Link link, CircuitCloseReason reason)
    {
        if (!IsViolation(reason))
        {
            return;
        }

        Interlocked.Increment(ref _circuits);
        _metrics.CircuitViolation(reason);
        if (_log.TryEnter((int)reason, out var heldBack))
        {
            RelayEngineLog.CircuitViolation(_logger, reason, heldBack, _logInterval);
        }

        if (owner is null || owner.RecordViolation() != _maxPerLink)
        {
            return;
        }

        link.Abort();
        Interlocked.Increment(ref _links);
        _metrics.LinkClosedForViolations();
        if (_log.TryEnter(s_linkClosedKind, out heldBack))
        {
            RelayEngineLog.LinkClosedForViolations(_logger, _maxPerLink, heldBack, _logInterval);
        }
    }
}
