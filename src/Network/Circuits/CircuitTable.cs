using System.Security.Cryptography;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>The state of a circuit id on one link.</summary>
internal enum CircuitEntryState : byte
{
    /// <summary>CREATE2 sent (ours) or received (the peer's), no circuit yet.</summary>
    Opening = 1,

    /// <summary>A circuit reactor owns the id.</summary>
    Open = 2,

    /// <summary>This side sent DESTROY; cells the peer sent before it saw it are absorbed until the id lingers out.</summary>
    DestroySent = 3,
}

/// <summary>What the table holds for one circuit id. A small struct: an idle entry costs a dictionary slot.</summary>
internal struct CircuitEntry
{
    public CircuitEntryState State;

    /// <summary>True when the peer created the circuit (its CREATE2 came in on this link).</summary>
    public bool CreatedByPeer;

    /// <summary>Which end of <see cref="Reactor"/> this link is.</summary>
    public CircuitLinkEnd End;

    public CircuitReactor? Reactor;

    public PendingCircuit? Pending;

    /// <summary>When DESTROY was sent (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long DestroyedAt;
}

/// <summary>The outcome of adding a circuit the peer asked for.</summary>
internal enum CircuitAddResult : byte
{
    Added = 1,
    Duplicate = 2,
    Full = 3,
}

/// <summary>
/// The circuits of one link by id: allocation by link side, entry states, and the per-link cap. Touched by the
/// link's read loop for every cell and by circuit owners on open and close, so a short lock guards it; it holds no
/// circuit state, only which reactor owns an id.
/// </summary>
internal sealed class CircuitTable
{
    // Ids come from the peer: keyed hashing keeps chosen ids from sharing a bucket (TEST-MATRIX FL-09).
    private readonly Dictionary<uint, CircuitEntry> _entries = new(new KeyedUInt32Comparer());
    private readonly Lock _gate = new();
    private readonly LinkSide _side;
    private readonly int _capacity;
    private int _destroySent;

    public CircuitTable(LinkSide side, int capacity)
    {
        _side = side;
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public int DestroySentCount => Volatile.Read(ref _destroySent);

    /// <summary>Picks a fresh random id of this side's half and reserves it in state Opening.</summary>
    public bool TryAllocate(PendingCircuit pending, out CircuitId id)
    {
        Span<byte> random = stackalloc byte[4];
        lock (_gate)
        {
            if (_entries.Count >= _capacity)
            {
                id = default;
                return false;
            }

            // With at most a million entries in 2^31 ids a draw collides rarely; a bounded number of draws keeps
            // a pathological table from spinning.
            for (var attempt = 0; attempt < 64; attempt++)
            {
                RandomNumberGenerator.Fill(random);
                if (CircuitId.TryCreateFor(_side, BitConverter.ToUInt32(random), out id) && !_entries.ContainsKey(id.Value))
                {
                    _entries[id.Value] = new CircuitEntry { State = CircuitEntryState.Opening, Pending = pending };
                    return true;
                }
            }
        }

        id = default;
        return false;
    }

    public CircuitAddResult TryAddFromPeer(CircuitId id)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(id.Value, out var existing))
            {
                // The peer frees an id when our DESTROY reaches it and may reuse it at once; every cell it sent
                // before has arrived by now, so the lingering entry has done its work.
                if (existing.State != CircuitEntryState.DestroySent || !existing.CreatedByPeer)
                {
                    return CircuitAddResult.Duplicate;
                }

                _destroySent--;
                _entries[id.Value] = new CircuitEntry { State = CircuitEntryState.Opening, CreatedByPeer = true };
                return CircuitAddResult.Added;
            }

            if (_entries.Count >= _capacity)
            {
                return CircuitAddResult.Full;
            }

            _entries[id.Value] = new CircuitEntry { State = CircuitEntryState.Opening, CreatedByPeer = true };
            return CircuitAddResult.Added;
        }
    }

    public bool TryGet(uint id, out CircuitEntry entry)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(id, out entry);
        }
    }

    /// <summary>Moves an Opening entry to Open under <paramref name="reactor"/>; false when the id is no longer Opening.</summary>
    public bool TryOpen(CircuitId id, bool createdByPeer, CircuitReactor reactor, CircuitLinkEnd end)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(id.Value, out var entry)
                || entry.State != CircuitEntryState.Opening
                || entry.CreatedByPeer != createdByPeer)
            {
                return false;
            }

            _entries[id.Value] = new CircuitEntry { State = CircuitEntryState.Open, CreatedByPeer = createdByPeer, Reactor = reactor, End = end };
            return true;
        }
    }

    /// <summary>Marks an id DESTROY-sent (whatever its state), so late cells are absorbed; false when the id was gone.</summary>
    public bool MarkDestroySent(CircuitId id, long now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(id.Value, out var entry) || entry.State == CircuitEntryState.DestroySent)
            {
                return false;
            }

            _entries[id.Value] = new CircuitEntry { State = CircuitEntryState.DestroySent, CreatedByPeer = entry.CreatedByPeer, DestroyedAt = now };
            _destroySent++;
            return true;
        }
    }

    public bool Remove(uint id, out CircuitEntry entry)
    {
        lock (_gate)
        {
            if (!_entries.Remove(id, out entry))
            {
                return false;
            }

            if (entry.State == CircuitEntryState.DestroySent)
            {
                _destroySent--;
            }

            return true;
        }
    }

    /// <summary>Forgets DESTROY-sent ids older than <paramref name="linger"/> ticks.</summary>
    public int SweepDestroyed(long now, long linger)
    {
        if (Volatile.Read(ref _destroySent) == 0)
        {
            return 0;
        }

        var removed = 0;
        lock (_gate)
        {
            List<uint>? expired = null;
            foreach (var (id, entry) in _entries)
            {
                if (entry.State == CircuitEntryState.DestroySent && now - entry.DestroyedAt >= linger)
                {
                    (expired ??= []).Add(id);
                }
            }

            if (expired is not null)
            {
                foreach (var id in expired)
                {
                    _entries.Remove(id);
                    _destroySent--;
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>TESTS ONLY: the comparer the table hashes ids with.</summary>
    internal IEqualityComparer<uint> ComparerForTesting => _entries.Comparer;

    /// <summary>TESTS ONLY: the ids in the table now.</summary>
    internal List<uint> IdsForTesting()
    {
        lock (_gate)
        {
            return [.. _entries.Keys];
        }
    }

    /// <summary>Empties the table (the link is closing) and returns what it held.</summary>
    public List<CircuitEntry> TakeAll()
    {
        lock (_gate)
        {
            var all = new List<CircuitEntry>(_entries.Values);
            _entries.Clear();
            _destroySent = 0;
            return all;
        }
    }
}
