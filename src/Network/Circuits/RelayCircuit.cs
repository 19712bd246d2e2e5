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
/// <remarks>
/// At a rendezvous point two circuits are joined (<see cref="TryJoin"/>): a cell from one circuit's inward link that
/// this relay does not recognise is posted, still encrypted, to the other circuit's queue as if it came from that
/// circuit's outward side; the other reactor adds its own layer and sends it on its inward link. Each reactor keeps
/// to its own state and its own queue cap, and when either circuit closes the other closes too.
/// </remarks>
public sealed class RelayCircuit : CircuitReactor
{
    private readonly CgoRelayHop _hop;
    private readonly Link _inward;
    private readonly CircuitId _inwardId;
    private Link? _outward;
    private RelayCircuit? _joined;
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

    /// <summary>True once the circuit is joined to another at this relay (a rendezvous point).</summary>
    public bool IsJoined => Volatile.Read(ref _joined) is not null;

    /// <summary>
    /// Joins this circuit to <paramref name="other"/> (both accepted by this relay, neither extended nor joined): from
    /// now on cells from either circuit's inward link that this relay does not recognise travel, unread, to the other
    /// circuit, which adds its own layer and sends them on its inward link. When either circuit closes, the other is
    /// closed (<see cref="CircuitCloseReason.JoinedCircuitClosed"/>) and DESTROY goes both ways. Safe from any thread.
    /// </summary>
    /// <remarks>
    /// Messages this relay sends on a circuit before the join (RENDEZVOUS2) are queued ahead of every cell that crosses
    /// it, because crossing cells enter the same queue later.
    /// </remarks>
    /// <returns>False when either circuit is closed, extended or joined already, or they are the same circuit.</returns>
    public bool TryJoin(RelayCircuit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this) || IsClosed || other.IsClosed || IsExtended || other.IsExtended)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _joined, other, null) is not null)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref other._joined, this, null) is not null)
        {
            Volatile.Write(ref _joined, null);
            return false;
        }

        // An extension or a close may have raced the join: an extended circuit must not also be joined, and a circuit
        // whose teardown read _joined before it was set would not close its partner.
        if (IsExtended || other.IsExtended)
        {
            RequestClose(CircuitCloseReason.ProtocolViolation);
            other.RequestClose(CircuitCloseReason.ProtocolViolation);
            return false;
        }

        if (IsClosed)
        {
            other.RequestClose(CircuitCloseReason.JoinedCircuitClosed);
        }

        if (other.IsClosed)
        {
            RequestClose(CircuitCloseReason.JoinedCircuitClosed);
        }

        return true;
    }

    private protected override int HopCount => 1;

    /// <summary>
    /// Extends the circuit over <paramref name="pending"/>, whose CREATED2 has arrived: from now on cells this relay
    /// does not recognise go out on that link, and cells from it come back through this circuit.
    /// </summary>
    /// <returns>False when the circuit is closed, already extended, or the id is no longer waiting.</returns>
    public bool AttachOutward(PendingCircuit pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (IsClosed || Volatile.Read(ref _outward) is not null || IsJoined)
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

        if (IsClosed)
        {
            // The circuit closed while it was being attached: its release may have looked for the outward link before
            // it was set, so the next relay would keep a circuit nobody uses. Tell it; a second DESTROY for the same
            // id, when the release did see the link, is absorbed by the peer's table.
            _ = pending.Link.SendDestroyAsync(pending.Id, DestroyReason.Finished).AsTask();
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
                var joined = Volatile.Read(ref _joined);
                if (joined is null)
                {
                    // Not for this relay and nowhere to go: the cell is forged or the layers are out of step.
                    return CellOutcome.Close(CircuitCloseReason.UnrecognizedCell);
                }

                if (command == CellCommand.RelayEarly)
                {
                    // The other circuit's cells go towards its originator, where RELAY_EARLY never travels.
                    return CellOutcome.Close(CircuitCloseReason.RelayEarlyViolation);
                }

                // Posted to the other reactor's queue (its cap applies; overrunning it closes both circuits).
                joined.EnqueueFromLink(CircuitLinkEnd.Outward, cell);
                return CellOutcome.Transferred;
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
        Volatile.Read(ref _joined)?.RequestClose(CircuitCloseReason.JoinedCircuitClosed);

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
