using System.Net;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Relay.Circuits;

/// <summary>The engine's handler of one link: where its CREATE2s go, and the peer's address for admission.</summary>
internal sealed class EngineLink(CircuitAcceptor acceptor, IPAddress address) : ILinkHandler
{
    /// <summary>The peer's address (for a link this relay opened, the address it connected to).</summary>
    public IPAddress Address { get; } = address;

    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2) => acceptor.OnCreateRequest(this, link, circuitId, create2);
}
