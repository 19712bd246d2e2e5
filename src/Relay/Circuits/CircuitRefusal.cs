using HiddenPoint.Relay.Limits;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Why the engine answered a CREATE2 with DESTROY (<see cref="CircuitAcceptor"/>). Counted in
/// <c>hpc.relay.circuits_refused</c> by the tag <see cref="RelayEngineMetrics"/> gives each value.
/// </summary>
internal enum CircuitRefusal
{
    /// <summary>The engine stopped accepting circuits (<c>stopping</c>; DESTROY hibernating).</summary>
    Stopping = 1,

    /// <summary>Admission: too many connections from the address (<c>too_many_connections</c>).</summary>
    TooManyConnections,

    /// <summary>Admission: the address's connection rate (<c>connection_rate</c>).</summary>
    ConnectionRate,

    /// <summary>Admission: the address's circuit rate (<c>circuit_rate</c>).</summary>
    CircuitRate,

    /// <summary>Admission: the address is marked (<c>marked</c>).</summary>
    Marked,

    /// <summary>Admission: the relay is above its memory limit (<c>memory_limit</c>).</summary>
    MemoryLimit,

    /// <summary>Admission: the limiter cannot count another address (<c>refused</c>).</summary>
    TooManyAddresses,

    /// <summary>The handshake queue is full (<c>queue_full</c>).</summary>
    QueueFull,

    /// <summary>The CREATE2 waited longer than <see cref="RelayEngineOptions.HandshakeMaxWait"/> (<c>queue_timeout</c>).</summary>
    QueueTimeout,

    /// <summary>A fault in this relay's own code (<c>fault</c>; DESTROY internal).</summary>
    Fault,

    /// <summary>The CREATE2 body did not parse (<c>malformed</c>; DESTROY protocol).</summary>
    MalformedCell,

    /// <summary>Not ntor v3 (<c>unsupported_type</c>).</summary>
    UnsupportedType,

    /// <summary>For another relay's identity or an onion key this relay does not hold (<c>wrong_key</c>).</summary>
    WrongKey,

    /// <summary>The handshake did not verify (<c>bad_handshake</c>).</summary>
    BadHandshake,

    /// <summary>The client did not ask for CGO (<c>no_cgo</c>).</summary>
    NoCgo,
}

/// <summary>Maps the refusals of admission control and of the circuit handshake onto <see cref="CircuitRefusal"/>.</summary>
internal static class CircuitRefusals
{
    public static CircuitRefusal From(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.TooManyConnections => CircuitRefusal.TooManyConnections,
        AdmissionRefusal.ConnectionRate => CircuitRefusal.ConnectionRate,
        AdmissionRefusal.CircuitRate => CircuitRefusal.CircuitRate,
        AdmissionRefusal.Marked => CircuitRefusal.Marked,
        AdmissionRefusal.MemoryLimit => CircuitRefusal.MemoryLimit,
        _ => CircuitRefusal.TooManyAddresses,
    };

    public static CircuitRefusal From(HandshakeFailure failure) => failure switch
    {
        HandshakeFailure.MalformedCell => CircuitRefusal.MalformedCell,
        HandshakeFailure.UnsupportedType => CircuitRefusal.UnsupportedType,
        HandshakeFailure.WrongKey => CircuitRefusal.WrongKey,
        HandshakeFailure.BadHandshake => CircuitRefusal.BadHandshake,
        _ => CircuitRefusal.NoCgo,
    };
}
