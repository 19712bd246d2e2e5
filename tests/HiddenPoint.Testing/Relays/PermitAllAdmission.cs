using System.Net;
using HiddenPoint.Relay.Limits;

namespace HiddenPoint.Testing;

/// <summary>Admits every connection, and every circuit unless <see cref="Refuse"/> says otherwise, counting them.</summary>
public sealed class PermitAllAdmission : IAddressAdmission
{
    private int _connections;
    private int _circuits;

    /// <summary>Connections admitted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Circuits asked about so far.</summary>
    public int Circuits => Volatile.Read(ref _circuits);

    /// <summary>What every circuit gets: none (admitted) by default.</summary>
    public AdmissionRefusal Refuse { get; set; }

    /// <inheritdoc/>
    public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease)
    {
        Interlocked.Increment(ref _connections);
        lease = null;
        return AdmissionRefusal.None;
    }

    /// <inheritdoc/>
    public AdmissionRefusal TryAdmitCircuit(IPAddress address)
    {
        Interlocked.Increment(ref _circuits);
        return Refuse;
    }
}
