using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// The reactor of a circuit this party originated (a client's or a hidden point's): a <see cref="CgoClientCircuit"/>
/// with one layer per hop over the link to the guard and, at a host's end of a joined rendezvous circuit, one
/// relay-style end-to-end hop after them. Cells from the link are peeled until a hop recognises them; one that no hop
/// recognises, or any RELAY_EARLY, closes the circuit. At most <see cref="CircuitReactor.MaxRelayEarly"/> messages go
/// out as RELAY_EARLY. Programs use it through <see cref="ClientCircuit"/>.
/// </summary>
/// <remarks>
/// The end-to-end hop of a joined circuit is a real hop at both ends. The client adds a <see cref="CgoClientHop"/> like
/// any other (<see cref="AddHopOnReactor"/>). The host mirrors it with a <see cref="CgoRelayHop"/>
/// (<see cref="AttachRelaySideHop"/>): a cell that none of its own hops recognises has passed them all, so the host
/// removes the client's layer as a relay would (<see cref="CgoRelayHop.ProcessForward"/>); a cell the host sends that
/// way is originated as a relay originates (<see cref="CgoRelayHop.Originate"/>) and then passes the host's own hops
/// as a cell on its way out (<see cref="CgoClientCircuit.ForwardThroughAll"/>).
/// </remarks>
internal sealed class ClientCircuitReactor : CircuitReactor
{
    private readonly CgoClientCircuit _crypto;
    private readonly Link _link;
    private readonly CircuitId _id;
    private CgoRelayHop? _relaySideHop;
    private int _hopCount;

    internal ClientCircuitReactor(Link link, CircuitId id, CgoClientCircuit crypto, ICircuitHandler handler)
        : base(link, handler)
    {
        _link = link;
        _id = id;
        _crypto = crypto;
        _hopCount = crypto.HopCount;
    }

    /// <summary>Hops the circuit reaches (as last known to the reactor; safe from any thread).</summary>
    public int Hops => Volatile.Read(ref _hopCount);

    /// <summary>The link to the first hop.</summary>
    public Link Link => _link;

    private protected override int HopCount => _hopCount;

    /// <summary>
    /// Adds the next hop's layer; the circuit takes ownership of <paramref name="hop"/>. Runs on the reactor, after
    /// every cell already queued. The hop's keys are wiped if it never joins the circuit: when the circuit closes first
    /// (false is returned if it is closed already) or the circuit cannot take it.
    /// </summary>
    public bool AddHop(CgoClientHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        return Post(hop, added =>
        {
            if (!AddHopOnReactor(added))
            {
                // Nothing waits for the outcome, so a hop that cannot be added is a fault of the caller's.
                RequestClose(CircuitCloseReason.InternalError);
            }
        });
    }

    /// <summary>
    /// Adds the next hop's layer now; only on the reactor (from a handler call). Disposes <paramref name="hop"/> and
    /// returns false when the circuit cannot take another hop.
    /// </summary>
    public bool AddHopOnReactor(CgoClientHop hop)
    {
        if (_relaySideHop is not null || _crypto.HopCount == _crypto.MaxHops)
        {
            hop.Dispose();
            return false;
        }

        _crypto.AddHop(hop);
        Volatile.Write(ref _hopCount, _crypto.HopCount);
        return true;
    }

    /// <summary>
    /// Adds the host's relay-style end of the end-to-end hop after the circuit's own hops; the circuit takes ownership
    /// of <paramref name="hop"/>. Runs on the reactor, ordered with the cells and sends queued before it.
    /// </summary>
    public bool AttachRelaySideHop(CgoRelayHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        return Post(hop, attached =>
        {
            if (_relaySideHop is not null)
            {
                attached.Dispose();
                return;
            }

            _relaySideHop = attached;
            Volatile.Write(ref _hopCount, _crypto.HopCount + 1);
        });
    }

    /// <summary>
    /// Runs <paramref name="run"/> on the reactor, ordered with the cells and messages queued before it. False when the
    /// circuit is closed; when it closes before the item's turn, <paramref name="discarded"/> runs instead.
    /// </summary>
    public bool Run(Action run, Action? discarded = null) => Post(run, discarded);

    /// <summary>
    /// Sends a relay message to <paramref name="hop"/>; the circuit owns <paramref name="cell"/> from now on.
    /// <paramref name="relayEarly"/> for EXTEND2.
    /// </summary>
    public ValueTask<CircuitSendResult> SendAsync(HopIndex hop, CellBuffer cell, bool relayEarly = false, CancellationToken cancellationToken = default)
    {
        if (hop.Value >= _crypto.MaxHops + 1)
        {
            Pool.Return(cell);
            return new ValueTask<CircuitSendResult>(CircuitSendResult.NoSuchHop);
        }

        return EnqueueSendAsync(cell, hop.Value, relayEarly, cancellationToken);
    }

    /// <summary>Closes the circuit, telling the first hop <paramref name="reason"/> in the DESTROY.</summary>
    public Task<CircuitCloseReason> CloseAsync(DestroyReason reason)
    {
        RequestLocalClose(reason);
        return Completion;
    }

    private protected override CellOutcome ProcessCell(CircuitLinkEnd from, CellBuffer cell, Span<byte> tag)
    {
        if (cell.Command == CellCommand.RelayEarly)
        {
            return CellOutcome.Close(CircuitCloseReason.RelayEarlyViolation);
        }

        if (_crypto.TryReceive((byte)cell.Command, cell.Body, tag, out var hopIndex))
        {
            return OnRecognized(hopIndex, cell, tag);
        }

        // The cell passed all of the circuit's own hops unrecognised: at a host it may come from the client, through the
        // end-to-end hop. Anywhere else it is forged or out of step.
        return _relaySideHop is { } relaySide && relaySide.ProcessForward((byte)cell.Command, cell.Body, tag)
            ? OnRecognized(_crypto.HopCount, cell, tag)
            : CellOutcome.Close(CircuitCloseReason.UnrecognizedCell);
    }

    private protected override bool TryOriginate(int hopIndex, CellBuffer cell, Span<byte> tag, out Link link)
    {
        link = _link;
        var ownHops = _crypto.HopCount;
        if (hopIndex < ownHops)
        {
            cell.RawCircuitId = _id.Value;
            _crypto.Originate(hopIndex, (byte)cell.Command, cell.Body, tag);
            return true;
        }

        if (hopIndex == ownHops && _relaySideHop is { } relaySide)
        {
            cell.RawCircuitId = _id.Value;
            relaySide.Originate((byte)cell.Command, cell.Body, tag);
            _crypto.ForwardThroughAll((byte)cell.Command, cell.Body);
            return true;
        }

        return false;
    }

    private protected override async ValueTask ReleaseAsync(int goneEnds, DestroyReason reason)
    {
        _crypto.Dispose();
        _relaySideHop?.Dispose();
        if ((goneEnds & (int)CircuitLinkEnd.Outward) == 0)
        {
            await _link.SendDestroyAsync(_id, reason).ConfigureAwait(false);
        }
    }
}
