using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>Placeholder with the agreed signatures; its owner replaces the body.</summary>
public sealed class RendezvousPointRole : IRelayMessageRole
{
    /// <inheritdoc/>
    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell) => throw new NotImplementedException();

    /// <inheritdoc/>
    public void OnCircuitClosed(RelayCircuitContext circuit) => throw new NotImplementedException();
}
