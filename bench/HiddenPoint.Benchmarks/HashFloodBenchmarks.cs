using BenchmarkDotNet.Attributes;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// TEST-MATRIX FL-09: the per-cell lookup of a link's circuit table when the peer picked its circuit ids to collide
/// under identity hashing (multiples of the table's prime bucket count), against random ids. One operation is one
/// lookup. The target is colliding ≤ 2× random with the keyed table; the identity-hashed dictionary shows what the
/// attack costs without it.
/// </summary>
[MemoryDiagnoser]
public class HashFloodBenchmarks
{
    /// <summary>Ids in the table (what a link may hold, well under <c>MaxCircuitsPerLink</c>'s range).</summary>
    public const int Ids = 16_384;

    private uint[] _colliding = null!;
    private uint[] _random = null!;
    private CircuitTable _collidingTable = null!;
    private CircuitTable _randomTable = null!;
    private Dictionary<uint, int> _identityColliding = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The bucket count a dictionary reaches with this many entries is public knowledge; the peer uses it.
        var sized = new Dictionary<uint, int>();
        for (uint i = 0; i < Ids; i++)
        {
            sized[i] = 0;
        }

        var buckets = (uint)sized.EnsureCapacity(0);
        var rng = new Random(11);
        _colliding = new uint[Ids];
        _random = new uint[Ids];
        var seen = new HashSet<uint>();
        for (var i = 0; i < Ids; i++)
        {
            _colliding[i] = (uint)(i + 1) * buckets & 0x7FFF_FFFF;
            uint value;
            do
            {
                value = (uint)rng.Next(1, int.MaxValue);
            }
            while (!seen.Add(value));
            _random[i] = value;
        }

        _collidingTable = Fill(_colliding);
        _randomTable = Fill(_random);
        _identityColliding = [];
        foreach (var id in _colliding)
        {
            _identityColliding[id] = 0;
        }
    }

    /// <summary>Keyed table, ids chosen to collide.</summary>
    [Benchmark(OperationsPerInvoke = Ids)]
    public int KeyedColliding() => Lookups(_collidingTable, _colliding);

    /// <summary>Keyed table, random ids.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ids)]
    public int KeyedRandom() => Lookups(_randomTable, _random);

    /// <summary>A dictionary with the default uint hash, ids chosen to collide: what the keyed hash prevents.</summary>
    [Benchmark(OperationsPerInvoke = Ids)]
    public int IdentityColliding()
    {
        var found = 0;
        foreach (var id in _colliding)
        {
            if (_identityColliding.ContainsKey(id))
            {
                found++;
            }
        }

        return found;
    }

    private static CircuitTable Fill(uint[] ids)
    {
        var table = new CircuitTable(LinkSide.Initiator, 1_048_576);
        foreach (var id in ids)
        {
            if (table.TryAddFromPeer(new CircuitId(id)) != CircuitAddResult.Added)
            {
                throw new InvalidOperationException("The benchmark's ids must be distinct.");
            }
        }

        return table;
    }

    private static int Lookups(CircuitTable table, uint[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            if (table.TryGet(id, out _))
            {
                found++;
            }
        }

        return found;
    }
}
