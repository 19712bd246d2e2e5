using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Tests;

/// <summary>TEST-MATRIX FL-09: circuit ids a peer picks to collide under identity hashing spread out in the table.</summary>
public sealed class KeyedHashingTests
{
    private const int ChosenIds = 20_000;

    [Fact]
    public void FL09_Circuit_table_hashes_ids_with_a_keyed_comparer()
    {
        var table = new CircuitTable(LinkSide.Responder, 16);
        Assert.IsType<KeyedUInt32Comparer>(table.ComparerForTesting);
    }

    [Fact]
    public void FL09_Ids_chosen_to_share_a_bucket_under_identity_hashing_spread_under_the_keyed_hash()
    {
        // A Dictionary's bucket is hash mod its prime size, and the size for a given count is public knowledge:
        // multiples of that prime all land in bucket 0 when a uint hashes to itself.
        var buckets = new Dictionary<uint, int>().EnsureCapacity(ChosenIds);
        var ids = new uint[ChosenIds];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = (uint)((i + 1) * (long)buckets);
        }

        Assert.Equal(ChosenIds, LongestChain(ids, buckets, EqualityComparer<uint>.Default));

        // Under the keyed hash the same ids behave like random ones: 20,000 keys in about 20,000 buckets give
        // chains of a handful (the expected longest is about 7).
        var keyed = LongestChain(ids, buckets, new KeyedUInt32Comparer());
        Assert.InRange(keyed, 1, 16);
    }

    [Fact]
    public void FL09_Lookups_of_colliding_ids_cost_about_as_much_as_random_ones()
    {
        // The cost of a lookup is the chain it walks; sum the chain positions over every id, colliding and random.
        var buckets = new Dictionary<uint, int>().EnsureCapacity(ChosenIds);
        var colliding = new uint[ChosenIds];
        var random = new uint[ChosenIds];
        var rng = new Random(7);
        for (var i = 0; i < colliding.Length; i++)
        {
            colliding[i] = (uint)((i + 1) * (long)buckets);
            random[i] = (uint)rng.NextInt64(0, uint.MaxValue);
        }

        var comparer = new KeyedUInt32Comparer();
        var collidingCost = TotalProbes(colliding, buckets, comparer);
        var randomCost = TotalProbes(random, buckets, comparer);
        Assert.True(collidingCost <= 2 * randomCost, $"colliding {collidingCost} probes, random {randomCost}");

        // Identity hashing: the walk is quadratic.
        Assert.True(TotalProbes(colliding, buckets, EqualityComparer<uint>.Default) > 1000L * randomCost);
    }

    [Fact]
    public void FL09_Each_comparer_has_its_own_key()
    {
        var a = new KeyedUInt32Comparer();
        var b = new KeyedUInt32Comparer();
        var differ = 0;
        for (uint id = 0; id < 100; id++)
        {
            Assert.Equal(a.GetHashCode(id), a.GetHashCode(id));
            Assert.True(a.Equals(id, id));
            Assert.False(a.Equals(id, id + 1));
            if (a.GetHashCode(id) != b.GetHashCode(id))
            {
                differ++;
            }
        }

        Assert.True(differ > 90);
    }

    [Fact]
    public void FL09_Circuit_table_works_with_colliding_peer_ids()
    {
        var table = new CircuitTable(LinkSide.Initiator, 100_000);
        var buckets = new Dictionary<uint, int>().EnsureCapacity(4_096);
        var added = new List<CircuitId>();
        for (var i = 1; added.Count < 4_096; i++)
        {
            // The initiator side's table takes peer ids from the responder's half (top bit clear).
            var value = (uint)(i * (long)buckets) & 0x7FFF_FFFF;
            if (value != 0 && CircuitId.TryCreateFor(LinkSide.Responder, value, out var id) && table.TryAddFromPeer(id) == CircuitAddResult.Added)
            {
                added.Add(id);
            }
        }

        foreach (var id in added)
        {
            Assert.True(table.TryGet(id.Value, out var entry));
            Assert.Equal(CircuitEntryState.Opening, entry.State);
        }

        Assert.Equal(added.Count, table.Count);
    }

    private static int LongestChain(uint[] ids, int buckets, IEqualityComparer<uint> comparer)
    {
        var counts = new int[buckets];
        var longest = 0;
        foreach (var id in ids)
        {
            longest = Math.Max(longest, ++counts[(uint)comparer.GetHashCode(id) % (uint)buckets]);
        }

        return longest;
    }

    private static long TotalProbes(uint[] ids, int buckets, IEqualityComparer<uint> comparer)
    {
        var counts = new int[buckets];
        long probes = 0;
        foreach (var id in ids)
        {
            probes += ++counts[(uint)comparer.GetHashCode(id) % (uint)buckets];
        }

        return probes;
    }
}
