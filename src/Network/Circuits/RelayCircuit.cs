using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A circuit as a relay sees it: one CGO layer (<see cref="CgoRelayHop"/>), the inward link it was created on, and,
/// once extended, an outward link. Cells from inward lose this relay's layer and are either for this relay (to the
/// handler) or passed outward; cells from outward gain the layer and go inward. RELAY_EARLY: at most
/// <see cref="CircuitReactor.MaxRelayEarly"/> from inward, none from outward.
/// </summary>
public sealed class RelayCircuit : CircuitReactor
{
    private readonly CgoRelayHop _hop;
    private readonly Link _inward;
    private readonly CircuitId _inwardId;
    private Link? _outward;
    private CircuitId _outwardId;
    private int _earlyReceived;

    internal RelayCircuit(Link inward, CircuitId inwardId, CgoRelayHop hop, ICircuitHandler handler)
        : base(inward, handler)
    {
        _inward = inward;
        _inwardId = inwardId;
        _hop = hop;
    }

    /// <summary>True once an outward link carries the circuit on.</summary>
    public bool IsExtended => Volatile.Read(ref _outward) is not null;

    private protected override int HopCount => 1;

    /// <summary>
    /// Extends the circuit over <paramref name="pending"/>, whose CREATED2 has arrived: from now on cells this relay
    /// does not recognise go out on that link, and cells from it come back through this circuit.
    /// </summary>
    /// <returns>False when the circuit is closed, already extended, or the id is no longer waiting.</returns>
    public bool AttachOutward(PendingCircuit pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (IsClosed || Volatile.Read(ref _outward) is not null)
        {
            return false;
        }

        // The id is set before the link can deliver a cell for it, and before the reactor can read _outward.
        _outwardId = pending.Id;
        if (Interlocked.CompareExchange(ref _outward, pending.Link, null) is not null)
        {
            return false;
        }

        if (!pending.Link.Table.TryOpen(pending.Id, createdByPeer: false, this, CircuitLinkEnd.Outward))
        {
            Volatile.Write(ref _outward, null);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Sends a relay message from this relay towards the client (EXTENDED2, INTRO_ESTABLISHED, …): the circuit owns
    /// <paramref name="cell"/> from now on.
    /// </summary>
    public ValueTask<CircuitSendResult> SendAsync(CellBuffer cell, CancellationToken cancellationToken = default) =>
        EnqueueSendAsync(cell, 0, relayEarly: false, cancellationToken);

    private protected override CellOutcome ProcessCell(CircuitLinkEnd from, CellBuffer cell, Span<byte> tag)
    {
        var command = cell.Command;
        if (from == CircuitLinkEnd.Inward)
        {
            if (command == CellCommand.RelayEarly && ++_earlyReceived > MaxRelayEarly)
            {
                return CellOutcome.Close(CircuitCloseReason.RelayEarlyViolation);
            }

            if (_hop.ProcessForward((byte)command, cell.Body, tag))
            {
                return OnRecognized(0, cell, tag);
            }

            var outward = Volatile.Read(ref _outward);
            if (outward is null)
            {
                // Not for this relay and nowhere to go: the cell is forged or the layers are out of step.
                return CellOutcome.Close(CircuitCloseReason.UnrecognizedCell);
            }

            cell.RawCircuitId = _outwardId.Value;
            return CellOutcome.ForwardOn(outward);
        }

        if (command == CellCommand.RelayEarly)
        {
            return CellOutcome.Close(CircuitCloseReason.RelayEarlyViolation);
        }

        _hop.ProcessBackward((byte)command, cell.Body);
        cell.RawCircuitId = _inwardId.Value;
        return CellOutcome.ForwardOn(_inward);
    }

    private protected override bool TryOriginate(int hopIndex, CellBuffer cell, Span<byte> tag, out Link link)
    {
        cell.RawCircuitId = _inwardId.Value;
        _hop.Originate((byte)cell.Command, cell.Body, tag);
        link = _inward;
        return true;
    }

    private protected override async ValueTask ReleaseAsync(int goneEnds, DestroyReason reason)
    {
        _hop.Dispose();

        // Both DESTROYs are queued before either is awaited: a link that no longer drains (its peer stopped reading)
        // must not hold up the other side's DESTROY.
        var inwardDestroy = (goneEnds & (int)CircuitLinkEnd.Inward) == 0
            ? _inward.SendDestroyAsync(_inwardId, reason)
            : default;
        var outward = Volatile.Read(ref _outward);
        var outwardDestroy = outward is not null && (goneEnds & (int)CircuitLinkEnd.Outward) == 0
            ? outward.SendDestroyAsync(_outwardId, reason)
            : default;
        await inwardDestroy.ConfigureAwait(false);
        await outwardDestroy.ConfigureAwait(false);
    }
}
