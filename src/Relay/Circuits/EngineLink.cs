using System.Net;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The engine's handler of one link: where its CREATE2s go, the peer's address for admission, and how many of the
/// link's circuits were closed for a protocol violation (<see cref="CircuitViolations"/>).
/// </summary>
internal sealed class EngineLink(CircuitAcceptor acceptor, IPAddress address) : ILinkHandler
{
    private int _violations;

    /// <summary>The peer's address (for a link this relay opened, the address it connected to).</summary>
    public IPAddress Address { get; } = address;

    /// <summary>Circuits of this link closed for a violation so far.</summary>
    public int Violations => Volatile.Read(ref _violations);

    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2) => acceptor.OnCreateRequest(this, link, circuitId, create2);

    /// <summary>Counts one more violation (from any circuit's reactor) and returns the new count.</summary>
    public int RecordViolation() => Interlocked.Increment(ref _violations);
}
