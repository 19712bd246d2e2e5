using HiddenPoint.Network.Cells;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Links;

/// <summary>
/// What the program that owns a link (the relay) does with requests this library does not answer itself. Called on
/// the link's read loop: implementations hand the work to their own task and return at once.
/// </summary>
public interface ILinkHandler
{
    /// <summary>
    /// The peer asked for a new circuit (CREATE2). The id is reserved in state Opening; answer with
    /// <see cref="Link.AcceptRelayCircuit"/> or <see cref="Link.RejectCircuitAsync"/>. The handler owns
    /// <paramref name="create2"/> and returns it to <see cref="Link.Pool"/> when done.
    /// </summary>
    void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2);
}
