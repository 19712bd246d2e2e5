using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Circuits;

/// <summary>A built circuit and the relays it runs through, guard first; the caller owns and closes the circuit.</summary>
public sealed record ProvidedCircuit(ClientCircuit Circuit, IReadOnlyList<RelayStatus> Path)
{
    /// <summary>The relay at the circuit's last hop.</summary>
    public RelayStatus LastRelay => Path[^1];
}
