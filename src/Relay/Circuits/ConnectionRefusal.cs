using HiddenPoint.Relay.Limits;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Why the engine closed an accepted connection before its handshake (<see cref="ConnectionListener"/>). Counted in
/// <c>hpc.relay.connections_refused</c> by the tag <see cref="RelayEngineMetrics"/> gives each value.
/// </summary>
internal enum ConnectionRefusal
{
    /// <summary>Open links and handshakes in progress reach <see cref="RelayEngineOptions.MaxLinks"/> (<c>max_links</c>).</summary>
    MaxLinks = 1,

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
}

/// <summary>Maps the refusals of admission control onto <see cref="ConnectionRefusal"/>.</summary>
internal static class ConnectionRefusals
{
    public static ConnectionRefusal From(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.TooManyConnections => ConnectionRefusal.TooManyConnections,
        AdmissionRefusal.ConnectionRate => ConnectionRefusal.ConnectionRate,
        AdmissionRefusal.CircuitRate => ConnectionRefusal.CircuitRate,
        AdmissionRefusal.Marked => ConnectionRefusal.Marked,
        AdmissionRefusal.MemoryLimit => ConnectionRefusal.MemoryLimit,
        _ => ConnectionRefusal.TooManyAddresses,
    };
}
