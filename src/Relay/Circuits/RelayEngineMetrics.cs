using System.Diagnostics.Metrics;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Relay.Diagnostics;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The circuit engine's instruments, on the relay's meter (<see cref="RelayTelemetry.MeterName"/>). Cells and bytes
/// on links are counted once, by the network layer (<c>hpc.link.cells_in</c> …); the engine adds only what the links
/// cannot see: cells that were for this relay, so that forwarded = received − for this relay.
/// </summary>
internal sealed class RelayEngineMetrics
{
    private readonly Counter<long> _connectionsRefused;
    private readonly Counter<long> _circuitsCreated;
    private readonly Counter<long> _circuitsRefused;
    private readonly Counter<long> _extends;
    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _circuitViolations;
    private readonly Counter<long> _violationLinkCloses;
    private long _cellsForRelay;

    public RelayEngineMetrics(IMeterFactory meterFactory, Func<int> openCircuits, Func<(int Clients, int RelaysIn, int RelaysOut)> links)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _connectionsRefused = meter.CreateCounter<long>("hpc.relay.connections_refused", "{connection}", "Connections closed at once (reason)");
        _circuitsCreated = meter.CreateCounter<long>("hpc.relay.circuits_created", "{circuit}", "CREATE2 answered with CREATED2");
        _circuitsRefused = meter.CreateCounter<long>("hpc.relay.circuits_refused", "{circuit}", "CREATE2 refused with DESTROY (reason)");
        _extends = meter.CreateCounter<long>("hpc.relay.extends", "{extend}", "EXTEND2 requests (result)");
        _handshakes = meter.CreateCounter<long>("hpc.relay.handshakes", "{handshake}", "Circuit handshakes completed");
        _handshakeFailures = meter.CreateCounter<long>("hpc.relay.handshake_failures", "{handshake}", "Circuit handshakes refused (reason)");
        _circuitViolations = meter.CreateCounter<long>("hpc.relay.circuit_violations", "{circuit}", "Circuits closed for a protocol violation (reason)");
        _violationLinkCloses = meter.CreateCounter<long>("hpc.relay.links_closed_for_violations", "{link}", "Client links aborted after MaxCircuitViolationsPerLink violations");
        meter.CreateObservableGauge("hpc.relay.circuits_open", openCircuits, "{circuit}", "Circuits this relay accepted that are open");
        meter.CreateObservableGauge("hpc.relay.links", () =>
        {
            var (clients, relaysIn, relaysOut) = links();
            return new[]
            {
                new Measurement<int>(clients, new KeyValuePair<string, object?>("kind", "client")),
                new Measurement<int>(relaysIn, new KeyValuePair<string, object?>("kind", "relay_in")),
                new Measurement<int>(relaysOut, new KeyValuePair<string, object?>("kind", "relay_out")),
            };
        }, "{link}", "Open links by kind");
        meter.CreateObservableCounter("hpc.relay.cells_for_relay", () => Volatile.Read(ref _cellsForRelay), "{cell}", "Relay cells this relay recognised (not forwarded)");
    }

    public long CellsForRelay => Volatile.Read(ref _cellsForRelay);

    public void CellForRelay() => Interlocked.Increment(ref _cellsForRelay);

    public void ConnectionRefused(ConnectionRefusal reason) => _connectionsRefused.Add(1, new KeyValuePair<string, object?>("reason", Tag(reason)));

    public void CircuitCreated() => _circuitsCreated.Add(1);

    public void CircuitRefused(CircuitRefusal reason) => _circuitsRefused.Add(1, new KeyValuePair<string, object?>("reason", Tag(reason)));

    public void Extend(ExtendOutcome outcome) => _extends.Add(1, new KeyValuePair<string, object?>("result", Tag(outcome)));

    public void Handshake() => _handshakes.Add(1);

    public void CircuitViolation(CircuitCloseReason reason) => _circuitViolations.Add(1, new KeyValuePair<string, object?>("reason", Tag(reason)));

    public void LinkClosedForViolations() => _violationLinkCloses.Add(1);

    public void HandshakeFailed(HandshakeFailure failure) => _handshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", Tag(CircuitRefusals.From(failure))));

    // The tag strings are the dashboards' and tests' names: change a value's tag only with them.
    internal static string Tag(CircuitCloseReason reason) => reason switch
    {
        CircuitCloseReason.UnrecognizedCell => "unrecognized_cell",
        CircuitCloseReason.ProtocolViolation => "protocol",
        CircuitCloseReason.RelayEarlyViolation => "relay_early",
        CircuitCloseReason.SendmeViolation => "sendme",
        CircuitCloseReason.WindowViolation => "window",
        _ => "other",
    };

    internal static string Tag(ConnectionRefusal reason) => reason switch
    {
        ConnectionRefusal.MaxLinks => "max_links",
        ConnectionRefusal.TooManyConnections => "too_many_connections",
        ConnectionRefusal.ConnectionRate => "connection_rate",
        ConnectionRefusal.CircuitRate => "circuit_rate",
        ConnectionRefusal.Marked => "marked",
        ConnectionRefusal.MemoryLimit => "memory_limit",
        _ => "refused",
    };

    internal static string Tag(CircuitRefusal reason) => reason switch
    {
        CircuitRefusal.Stopping => "stopping",
        CircuitRefusal.TooManyConnections => "too_many_connections",
        CircuitRefusal.ConnectionRate => "connection_rate",
        CircuitRefusal.CircuitRate => "circuit_rate",
        CircuitRefusal.Marked => "marked",
        CircuitRefusal.MemoryLimit => "memory_limit",
        CircuitRefusal.TooManyAddresses => "refused",
        CircuitRefusal.QueueFull => "queue_full",
        CircuitRefusal.QueueTimeout => "queue_timeout",
        CircuitRefusal.MalformedCell => "malformed",
        CircuitRefusal.UnsupportedType => "unsupported_type",
        CircuitRefusal.WrongKey => "wrong_key",
        CircuitRefusal.BadHandshake => "bad_handshake",
        CircuitRefusal.NoCgo => "no_cgo",
        _ => "fault",
    };

    internal static string Tag(ExtendOutcome outcome) => outcome switch
    {
        ExtendOutcome.Extended => "ok",
        ExtendOutcome.BadHandshake => "bad_handshake",
        ExtendOutcome.NoConsensus => "no_consensus",
        ExtendOutcome.UnknownRelay => "unknown_relay",
        ExtendOutcome.Self => "self",
        ExtendOutcome.AddressNotListed => "address_not_listed",
        ExtendOutcome.Timeout => "timeout",
        ExtendOutcome.ConnectFailed => "connect_failed",
        ExtendOutcome.TooManyLinks => "too_many_links",
        ExtendOutcome.Stopping => "stopping",
        ExtendOutcome.LinkFull => "link_full",
        ExtendOutcome.LinkClosed => "link_closed",
        ExtendOutcome.Refused => "refused",
        ExtendOutcome.BadCreated2 => "bad_created2",
        ExtendOutcome.CircuitClosed => "circuit_closed",
        ExtendOutcome.Malformed => "malformed",
        _ => "fault",
    };
}
