namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// The client's CGO layers for one circuit, hop 0 being the first relay (the guard). Originates cells to any hop
/// through every layer in front of it, and peels cells arriving from the circuit until one hop recognises them.
/// Nothing is allocated per cell. One owner: not thread-safe.
/// </summary>
public sealed class CgoClientCircuit : IDisposable
{
    private readonly CgoClientHop[] _hops;
    private int _count;

    /// <summary>Creates an empty circuit that can hold up to <paramref name="maxHops"/> hops.</summary>
    public CgoClientCircuit(int maxHops = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHops, 1);
        _hops = new CgoClientHop[maxHops];
    }

    /// <summary>The number of hops added so far.</summary>
    public int HopCount => _count;

    /// <summary>The most hops the circuit can hold.</summary>
    public int MaxHops => _hops.Length;

    /// <summary>Appends the next hop's layer (after a successful extend). The circuit takes ownership of it.</summary>
    public void AddHop(CgoClientHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ObjectDisposedException.ThrowIf(hop.IsDisposed, hop);
        if (_count == _hops.Length)
        {
            throw new InvalidOperationException($"The circuit already has {_hops.Length} hops.");
        }

        _hops[_count++] = hop;
    }

    /// <summary>
    /// Encrypts a relay message for hop <paramref name="hopIndex"/> (0-based) through every layer up to it, in
    /// place: <paramref name="body"/>[16..509) holds the message on entry; the first 16 bytes are overwritten.
    /// <paramref name="sendmeTag"/> receives the tag that hop will report in an authenticated SENDME.
    /// </summary>
    public void Originate(int hopIndex, byte command, Span<byte> body, Span<byte> sendmeTag)
    {
        CgoRelayHop.CheckBody(body);
        CgoRelayHop.CheckTag(sendmeTag);
        ArgumentOutOfRangeException.ThrowIfNegative(hopIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(hopIndex, _count);
        var hops = _hops;
        hops[hopIndex].OriginateLayer(command, body, sendmeTag);
        for (var i = hopIndex - 1; i >= 0; i--)
        {
            hops[i].ForwardLayer(command, body);
        }
    }

    /// <summary>
    /// Adds every hop's forward layer to a cell that the circuit passes on rather than originates, in place: at a
    /// hidden point's end of a joined rendezvous circuit, a cell the end-to-end hop originated (as a relay originates)
    /// then travels out through the host's own hops, each of which only passes it on.
    /// </summary>
    public void ForwardThroughAll(byte command, Span<byte> body)
    {
        CgoRelayHop.CheckBody(body);
        var hops = _hops;
        for (var i = _count - 1; i >= 0; i--)
        {
            hops[i].ForwardLayer(command, body);
        }
    }

    /// <summary>
    /// Removes layers from a cell that arrived on the circuit, in place, until a hop recognises it. Returns true
    /// with that hop's 0-based index (and its SENDME tag in <paramref name="sendmeTag"/>); false when no hop does,
    /// which means the cell was corrupted or forged and the circuit must be closed (its state is now out of step).
    /// </summary>
    public bool TryReceive(byte command, Span<byte> body, Span<byte> sendmeTag, out int hopIndex)
    {
        CgoRelayHop.CheckBody(body);
        CgoRelayHop.CheckTag(sendmeTag);
        var hops = _hops;
        for (var i = 0; i < _count; i++)
        {
            if (hops[i].BackwardLayer(command, body, sendmeTag))
            {
                hopIndex = i;
                return true;
            }
        }

        hopIndex = -1;
        return false;
    }

    /// <summary>Wipes every hop's keys.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _count; i++)
        {
            _hops[i].Dispose();
        }

        _count = 0;
    }
}
