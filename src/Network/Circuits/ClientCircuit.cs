using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A circuit as its originator (a client or a hidden point) sees it: a <see cref="CgoClientCircuit"/> with one layer
/// per hop, over the link to the guard. Cells from the link are peeled until a hop recognises them; one that no hop
/// recognises, or any RELAY_EARLY, closes the circuit. At most <see cref="CircuitReactor.MaxRelayEarly"/> messages go
/// out as RELAY_EARLY.
/// </summary>
public sealed class ClientCircuit : CircuitReactor
{
    private readonly CgoClientCircuit _crypto;
    private readonly Link _link;
    private readonly CircuitId _id;
    private int _hopCount;

    internal ClientCircuit(Link link, CircuitId id, CgoClientCircuit crypto, ICircuitHandler handler)
        : base(link, handler)
    {
        _link = link;
        _id = id;
        _crypto = crypto;
        _hopCount = crypto.HopCount;
    }

    /// <summary>Hops the circuit reaches (as last known to the reactor).</summary>
    public int Hops => Volatile.Read(ref _hopCount);

    private protected override int HopCount => _hopCount;

    /// <summary>
    /// Adds the next hop's layer after EXTENDED2 was processed; the circuit takes ownership of <paramref name="hop"/>.
    /// Runs on the reactor, after every cell already queued. The hop's keys are wiped if it never joins the circuit:
    /// when the circuit closes first (false is returned if it is closed already) or the circuit cannot take it.
    /// </summary>
    public bool AddHop(CgoClientHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        return Post(hop, added =>
        {
            _crypto.AddHop(added);
            Volatile.Write(ref _hopCount, _crypto.HopCount);
        });
    }

    /// <summary>
    /// Sends a relay message to hop <paramref name="hopIndex"/> (0 = guard); the circuit owns <paramref name="cell"/>
    /// from now on. <paramref name="relayEarly"/> for EXTEND2.
    /// </summary>
    public ValueTask<CircuitSendResult> SendAsync(int hopIndex, CellBuffer cell, bool relayEarly = false, CancellationToken cancellationToken = default)
    {
        if ((uint)hopIndex >= 8)
        {
            Pool.Return(cell);
            return new ValueTask<CircuitSendResult>(CircuitSendResult.NoSuchHop);
        }

        return EnqueueSendAsync(cell, hopIndex, relayEarly, cancellationToken);
    }

    private protected override CellOutcome ProcessCell(CircuitLinkEnd from, CellBuffer cell, Span<byte> tag)
    {
        if (cell.Command == CellCommand.RelayEarly)
        {
            return CellOutcome.Close(CircuitCloseReason.RelayEarlyViolation);
        }

        return _crypto.TryReceive((byte)cell.Command, cell.Body, tag, out var hopIndex)
            ? OnRecognized(hopIndex, cell, tag)
            : CellOutcome.Close(CircuitCloseReason.UnrecognizedCell);
    }

    private protected override bool TryOriginate(int hopIndex, CellBuffer cell, Span<byte> tag, out Link link)
    {
        link = _link;
        if (hopIndex >= _crypto.HopCount)
        {
            return false;
        }

        cell.RawCircuitId = _id.Value;
        _crypto.Originate(hopIndex, (byte)cell.Command, cell.Body, tag);
        return true;
    }

    private protected override async ValueTask ReleaseAsync(int goneEnds, DestroyReason reason)
    {
        _crypto.Dispose();
        if ((goneEnds & (int)CircuitLinkEnd.Outward) == 0)
        {
            await _link.SendDestroyAsync(_id, reason).ConfigureAwait(false);
        }
    }
}
