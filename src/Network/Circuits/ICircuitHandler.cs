using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>Which side of a circuit a link is, seen from this party.</summary>
public enum CircuitLinkEnd : byte
{
    /// <summary>Towards the circuit's originator (a relay's link to the previous hop or the client).</summary>
    Inward = 1,

    /// <summary>Away from the originator (a client's link to its guard; a relay's link to the next hop).</summary>
    Outward = 2,
}

/// <summary>
/// What the program does with the relay messages of a circuit (answer EXTEND2, serve an introduction, deliver DATA).
/// The runtime keeps the rest: CGO layers, RELAY_EARLY accounting, SENDME windows, queues and teardown. Every call
/// runs on the circuit's reactor, one at a time; a call must not block (hand long work to another task and answer
/// later through the circuit's send methods).
/// </summary>
public interface ICircuitHandler
{
    /// <summary>
    /// A relay message for this party: <paramref name="body"/> is the decrypted 509-byte relay cell body (v1 layout:
    /// tag · command · length · …), valid only during the call. SENDMEs never reach the handler.
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="hop">The hop that sent it (on an originator's circuit; the first hop on a relay).</param>
    /// <param name="cellCommand">RELAY or RELAY_EARLY (EXTEND2 must arrive in RELAY_EARLY).</param>
    /// <param name="body">The body.</param>
    /// <returns>False when the message breaks the protocol: the circuit is then closed.</returns>
    bool OnRelayMessage(CircuitReactor circuit, HopIndex hop, CellCommand cellCommand, ReadOnlySpan<byte> body);

    /// <summary>
    /// The circuit is closing for <paramref name="reason"/>: called once, on the reactor, after its queue was let go and
    /// before DESTROY is sent and <see cref="OnClosed"/> is called, so that a party may act on the reason before the
    /// peer hears of the close (a relay counts a protocol violation against the link, and may abort the link before the
    /// peer can open another circuit on it). Does nothing unless implemented.
    /// </summary>
    void OnClosing(CircuitReactor circuit, CircuitCloseReason reason)
    {
    }

    /// <summary>The circuit has closed; called once, last.</summary>
    void OnClosed(CircuitReactor circuit, CircuitCloseReason reason);
}

/// <summary>The outcome of handing a relay message to a circuit.</summary>
public enum CircuitSendResult
{
    /// <summary>Queued; the reactor sends it as soon as the window allows.</summary>
    Queued = 1,

    /// <summary>The circuit is closed; the cell went back to the pool.</summary>
    Closed,

    /// <summary>RELAY_EARLY was asked for after the 8 this circuit may send; the cell went back to the pool.</summary>
    RelayEarlyExhausted,

    /// <summary>No such hop on this circuit (yet); the cell went back to the pool.</summary>
    NoSuchHop,
}
