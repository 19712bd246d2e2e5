using System.Diagnostics.Metrics;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;

namespace HiddenPoint.Network.Diagnostics;

/// <summary>
/// The network runtime's instruments, on a meter named <see cref="MeterName"/> created through the injected
/// <see cref="IMeterFactory"/>. Only aggregate counts: no tag names a peer, an address or a circuit, so nothing
/// measured can link a circuit to anyone.
/// </summary>
public sealed class NetworkMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "HiddenPoint.Network";

    private readonly Meter _meter;
    private readonly Counter<long> _linksOpened;
    private readonly Counter<long> _linksClosed;
    private readonly UpDownCounter<long> _linksActive;
    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _circuitsOpened;
    private readonly Counter<long> _circuitsClosed;
    private readonly UpDownCounter<long> _circuitsActive;
    private readonly Counter<long> _cellsIn;
    private readonly Counter<long> _cellsOut;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _cellsDropped;
    private readonly Counter<long> _launches;
    private readonly Counter<long> _linksReused;
    private readonly Counter<long> _linksIdleClosed;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public NetworkMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _linksOpened = _meter.CreateCounter<long>("hpc.link.opened", "{link}", "Links whose handshake completed.");
        _linksClosed = _meter.CreateCounter<long>("hpc.link.closed", "{link}", "Links closed, by reason.");
        _linksActive = _meter.CreateUpDownCounter<long>("hpc.link.active", "{link}", "Links open now.");
        _handshakeFailures = _meter.CreateCounter<long>("hpc.link.handshake_failures", "{handshake}", "Link handshakes that failed, by reason.");
        _circuitsOpened = _meter.CreateCounter<long>("hpc.circuit.opened", "{circuit}", "Circuits opened.");
        _circuitsClosed = _meter.CreateCounter<long>("hpc.circuit.closed", "{circuit}", "Circuits closed, by reason.");
        _circuitsActive = _meter.CreateUpDownCounter<long>("hpc.circuit.active", "{circuit}", "Circuits open now.");
        _cellsIn = _meter.CreateCounter<long>("hpc.link.cells_in", "{cell}", "Cells received on links.");
        _cellsOut = _meter.CreateCounter<long>("hpc.link.cells_out", "{cell}", "Cells sent on links.");
        _bytesIn = _meter.CreateCounter<long>("hpc.link.bytes_in", "By", "Bytes received on links after the handshake.");
        _bytesOut = _meter.CreateCounter<long>("hpc.link.bytes_out", "By", "Bytes sent on links after the handshake.");
        _cellsDropped = _meter.CreateCounter<long>("hpc.link.cells_dropped", "{cell}", "Cells absorbed for destroyed or unknown circuits.");
        _launches = _meter.CreateCounter<long>("hpc.link.launches", "{launch}", "Link launches by the link manager, by result.");
        _linksReused = _meter.CreateCounter<long>("hpc.link.reused", "{request}", "Link requests answered with a link already open.");
        _linksIdleClosed = _meter.CreateCounter<long>("hpc.link.idle_closed", "{link}", "Links the link manager closed after carrying no circuit for its idle timeout.");
    }

    internal void LinkOpened()
    {
        _linksOpened.Add(1);
        _linksActive.Add(1);
    }

    internal void LinkClosed(LinkCloseReason reason)
    {
        _linksActive.Add(-1);
        _linksClosed.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(reason)));
    }

    internal void HandshakeFailed(LinkCloseReason reason) =>
        _handshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(reason)));

    internal void CircuitOpened()
    {
        _circuitsOpened.Add(1);
        _circuitsActive.Add(1);
    }

    internal void CircuitClosed(CircuitCloseReason reason)
    {
        _circuitsActive.Add(-1);
        _circuitsClosed.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(reason)));
    }

    // Counted per read or write batch, not per cell, so the hot path pays one call per batch.
    internal void CellsIn(int cells, long bytes)
    {
        _cellsIn.Add(cells);
        _bytesIn.Add(bytes);
    }

    internal void CellsOut(int cells, long bytes)
    {
        _cellsOut.Add(cells);
        _bytesOut.Add(bytes);
    }

    internal void CellsDropped(int cells) => _cellsDropped.Add(cells);

    internal void LinkLaunched(LinkLaunchFailure result) =>
        _launches.Add(1, new KeyValuePair<string, object?>("result", LaunchResultName(result)));

    internal void LinkReused() => _linksReused.Add(1);

    internal void LinkIdleClosed() => _linksIdleClosed.Add(1);

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    // Enum names as tag values without Enum.ToString's allocation on every close.
    private static string ReasonName(LinkCloseReason reason) => reason switch
    {
        LinkCloseReason.LocalClose => "local_close",
        LinkCloseReason.LocalAbort => "local_abort",
        LinkCloseReason.PeerClosed => "peer_closed",
        LinkCloseReason.HandshakeTimeout => "handshake_timeout",
        LinkCloseReason.HandshakeAuthenticationFailed => "handshake_authentication_failed",
        LinkCloseReason.HandshakeMalformed => "handshake_malformed",
        LinkCloseReason.HandshakeTruncated => "handshake_truncated",
        LinkCloseReason.LinkKindRefused => "link_kind_refused",
        LinkCloseReason.FrameAuthenticationFailed => "frame_authentication_failed",
        LinkCloseReason.ProtocolViolation => "protocol_violation",
        LinkCloseReason.IdleTimeout => "idle_timeout",
        LinkCloseReason.TruncatedFrame => "truncated_frame",
        LinkCloseReason.TransportError => "transport_error",
        LinkCloseReason.NonceExhausted => "nonce_exhausted",
        LinkCloseReason.InternalError => "internal_error",
        LinkCloseReason.ResourceLimit => "resource_limit",
        LinkCloseReason.WriteStalled => "write_stalled",
        LinkCloseReason.MemoryLimit => "memory_limit",
        _ => "none",
    };

    private static string LaunchResultName(LinkLaunchFailure result) => result switch
    {
        LinkLaunchFailure.None => "opened",
        LinkLaunchFailure.ConnectFailed => "connect_failed",
        LinkLaunchFailure.HandshakeFailed => "handshake_failed",
        LinkLaunchFailure.Timeout => "timeout",
        LinkLaunchFailure.TooManyLinks => "too_many_links",
        LinkLaunchFailure.Stopped => "stopped",
        _ => "internal_error",
    };

    private static string ReasonName(CircuitCloseReason reason) => reason switch
    {
        CircuitCloseReason.LocalClose => "local_close",
        CircuitCloseReason.DestroyedByPeer => "destroyed_by_peer",
        CircuitCloseReason.LinkClosed => "link_closed",
        CircuitCloseReason.QueueOverflow => "queue_overflow",
        CircuitCloseReason.RelayEarlyViolation => "relay_early_violation",
        CircuitCloseReason.UnrecognizedCell => "unrecognized_cell",
        CircuitCloseReason.SendmeViolation => "sendme_violation",
        CircuitCloseReason.WindowViolation => "window_violation",
        CircuitCloseReason.ProtocolViolation => "protocol_violation",
        CircuitCloseReason.HandlerError => "handler_error",
        CircuitCloseReason.InternalError => "internal_error",
        CircuitCloseReason.JoinedCircuitClosed => "joined_circuit_closed",
        CircuitCloseReason.MemoryLimit => "memory_limit",
        _ => "none",
    };
}
