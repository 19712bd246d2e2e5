using System.Net;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// Admission of connections and circuits per source address, as the circuit engine asks for it.
/// <see cref="AddressLimiter"/> is the real one (Tor's DoS defences); tests of other parts may admit everything.
/// </summary>
public interface IAddressAdmission
{
    /// <summary>
    /// Admits a new connection from <paramref name="address"/> or says why not. On success <paramref name="lease"/>
    /// counts it as concurrent until disposed (when the link closes).
    /// </summary>
    AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease);

    /// <summary>Admits a CREATE2 from <paramref name="address"/> (a client, or a relay not listed in the consensus).</summary>
    AdmissionRefusal TryAdmitCircuit(IPAddress address);
}

/// <summary>Placeholder with the agreed signatures; its owner replaces the body.</summary>
public sealed class AddressLimiter : IAddressAdmission
{
    /// <summary>
    /// Admits a new connection from <paramref name="address"/> or says why not. On success <paramref name="lease"/>
    /// counts it as concurrent until disposed (when the link closes).
    /// </summary>
    public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease) => throw new NotImplementedException();

    /// <summary>Admits a CREATE2 from <paramref name="address"/> (a client, or a relay not listed in the consensus).</summary>
    public AdmissionRefusal TryAdmitCircuit(IPAddress address) => throw new NotImplementedException();
}

/// <summary>Why a connection or circuit was refused; <see cref="None"/> when admitted.</summary>
public enum AdmissionRefusal
{
    /// <summary>Admitted.</summary>
    None = 0,

    /// <summary>Too many concurrent connections from the address.</summary>
    TooManyConnections,

    /// <summary>Connections from the address came faster than the rate allows.</summary>
    ConnectionRate,

    /// <summary>Circuits from the address came faster than the rate allows.</summary>
    CircuitRate,

    /// <summary>The address is marked for a while after breaking a limit.</summary>
    Marked,

    /// <summary>The relay's memory limit is reached.</summary>
    MemoryLimit,
}
