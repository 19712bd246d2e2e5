using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public class HsDirRingTests
{
    public static TheoryData<string> Files => VectorFiles.Named("onion_address", ".txt");

    [Theory]
    [MemberData(nameof(Files))]
    public void Ring_indexes_reproduce_the_vectors(string fileName)
    {
        var file = OnionAddressVectorFile.Load(VectorFiles.PathOf(fileName));
        Assert.NotEmpty(file.Indexes);
        foreach (var v in file.Indexes)
        {
            var period = new TimePeriod(v.Inputs.PeriodNumber, v.Inputs.PeriodLength);
            var index = v.IsServiceIndex
                ? HsDirRing.ServiceIndexOfUncheckedKey(v.Inputs.BlindedKey, v.Inputs.Replica, period, HsDirRingLabels.Tor)
                : HsDirRing.RelayIndex(v.Inputs.NodeIdentity, new SharedRandomValue(v.Inputs.SharedRandom), period, HsDirRingLabels.Tor);
            Assert.Equal(Convert.ToHexStringLower(v.Expected), index.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Disaster_shared_random_values_reproduce_the_vectors(string fileName)
    {
        var file = OnionAddressVectorFile.Load(VectorFiles.PathOf(fileName));
        Assert.NotEmpty(file.DisasterSrvs);
        foreach (var v in file.DisasterSrvs)
        {
            var srv = HsDirRing.DisasterSharedRandomValue(new TimePeriod(v.PeriodNumber, v.PeriodLength), HsDirRingLabels.Tor);
            Assert.Equal(v.Expected, srv.Bytes.ToArray());
        }
    }

    [Fact]
    public void Hpc_labels_place_everything_elsewhere()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var period = new TimePeriod(20000);
        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);
        var srv = HsDirRing.DisasterSharedRandomValue(period, HsDirRingLabels.Hpc);
        Assert.NotEqual(srv, HsDirRing.DisasterSharedRandomValue(period, HsDirRingLabels.Tor));
        Assert.NotEqual(
            HsDirRing.ServiceIndex(blinded, 1, period, HsDirRingLabels.Hpc),
            HsDirRing.ServiceIndex(blinded, 1, period, HsDirRingLabels.Tor));
        Assert.NotEqual(
            HsDirRing.ServiceIndex(blinded, 1, period, HsDirRingLabels.Hpc),
            HsDirRing.ServiceIndex(blinded, 2, period, HsDirRingLabels.Hpc));
        Assert.Equal(
            HsDirRing.ServiceIndex(blinded, 2, period, HsDirRingLabels.Hpc),
            HsDirRing.ServiceIndexOfUncheckedKey(blinded.Bytes, 2, period, HsDirRingLabels.Hpc));
        var relay = new byte[32];
        Assert.NotEqual(
            HsDirRing.RelayIndex(relay, srv, period, HsDirRingLabels.Hpc),
            HsDirRing.RelayIndex(relay, srv, period, HsDirRingLabels.Tor));
    }

    // A ring of eight relays at 0x10.., 0x20.., ..., 0x80...
    private static HsDirIndex[] EightRelays() => [.. Enumerable.Range(1, 8).Select(i => At((byte)(i * 0x10)))];

    [Fact]
    public void Each_replica_takes_the_relays_that_follow_it()
    {
        var ring = EightRelays();
        var selected = new int[8];
        var count = HsDirRing.SelectResponsible(ring, [At(0x25), At(0x65)], spread: 2, selected);
        Assert.Equal([2, 3, 6, 7], selected[..count]);
    }

    [Fact]
    public void Later_replicas_skip_relays_already_chosen()
    {
        // Replica 1 at 0x25 takes 0x30..0x60; replica 2 at 0x35 would start at 0x40, which is taken, so it moves on
        // to 0x70, 0x80 and wraps to 0x10, 0x20.
        var ring = EightRelays();
        var selected = new int[8];
        var count = HsDirRing.SelectResponsible(ring, [At(0x25), At(0x35)], spread: 4, selected);
        Assert.Equal([2, 3, 4, 5, 6, 7, 0, 1], selected[..count]);
    }

    [Fact]
    public void A_position_equal_to_a_relay_index_starts_at_that_relay()
    {
        var ring = EightRelays();
        var selected = new int[3];
        var count = HsDirRing.SelectResponsible(ring, [At(0x40)], spread: 3, selected);
        Assert.Equal([3, 4, 5], selected[..count]);
    }

    [Fact]
    public void Positions_past_the_last_relay_wrap_to_the_first()
    {
        var ring = EightRelays();
        var selected = new int[6];
        var count = HsDirRing.SelectResponsible(ring, [At(0x85), At(0x75)], spread: 3, selected);
        Assert.Equal([0, 1, 2, 7, 3, 4], selected[..count]);
    }

    [Fact]
    public void A_small_ring_yields_every_relay_once()
    {
        HsDirIndex[] ring = [At(0x10), At(0x50), At(0x90)];
        var selected = new int[3];
        var count = HsDirRing.SelectResponsible(ring, [At(0x60), At(0x00)], spread: 4, selected);
        Assert.Equal([2, 0, 1], selected[..count]);

        Assert.Equal(0, HsDirRing.SelectResponsible([], [At(0x60)], 4, []));
    }

    [Fact]
    public void Default_parameters_select_eight_to_store_and_six_to_fetch()
    {
        var parameters = HsDirRingParameters.Default;
        parameters.Validate();
        Assert.Equal((2, 4, 3), (parameters.Replicas, parameters.SpreadStore, parameters.SpreadFetch));

        var period = new TimePeriod(20000);
        var srv = HsDirRing.DisasterSharedRandomValue(period, HsDirRingLabels.Hpc);
        var ring = new HsDirIndex[50];
        var identity = new byte[32];
        for (var i = 0; i < ring.Length; i++)
        {
            identity[0] = (byte)i;
            ring[i] = HsDirRing.RelayIndex(identity, srv, period, HsDirRingLabels.Hpc);
        }

        Array.Sort(ring);
        using var host = HiddenPointIdentitySecretKey.Generate();
        var blinded = KeyBlinding.BlindPublicKey(host.PublicKey, period, KeyBlindingLabels.Hpc);
        var positions = new HsDirIndex[parameters.Replicas];
        for (var r = 0; r < positions.Length; r++)
        {
            positions[r] = HsDirRing.ServiceIndex(blinded, r + 1, period, HsDirRingLabels.Hpc);
        }

        var store = new int[parameters.Replicas * parameters.SpreadStore];
        Assert.Equal(8, HsDirRing.SelectResponsible(ring, positions, parameters.SpreadStore, store));
        Assert.Equal(8, store.Distinct().Count());
        var fetch = new int[parameters.Replicas * parameters.SpreadFetch];
        Assert.Equal(6, HsDirRing.SelectResponsible(ring, positions, parameters.SpreadFetch, fetch));

        // Every directory a client may fetch from is one the host stored at.
        Assert.All(fetch, f => Assert.Contains(f, store));
    }

    [Fact]
    public void Misuse_is_refused()
    {
        var ring = EightRelays();
        Assert.Throws<ArgumentException>(() => HsDirRing.SelectResponsible(ring, [At(1), At(2)], 4, new int[7]));
        Assert.Throws<ArgumentException>(() => HsDirRing.SelectResponsible([At(2), At(1)], [At(1)], 1, new int[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => HsDirRing.SelectResponsible(ring, [At(1)], 0, new int[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => HsDirRing.ServiceIndexOfUncheckedKey(new byte[32], 0, new TimePeriod(1), HsDirRingLabels.Hpc));
        Assert.Throws<ArgumentException>(() => HsDirRing.RelayIndex(new byte[31], new SharedRandomValue(new byte[32]), new TimePeriod(1), HsDirRingLabels.Hpc));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HsDirRingParameters { SpreadStore = 0 }.Validate());
    }

    [Fact]
    public void Indexes_order_as_big_endian_numbers()
    {
        var low = new byte[32];
        var high = new byte[32];
        low[31] = 0xff;
        high[0] = 0x01;
        Assert.True(new HsDirIndex(low) < new HsDirIndex(high));
        low[0] = 0x01;
        low[31] = 0x00;
        high[31] = 0x01;
        Assert.True(new HsDirIndex(low) < new HsDirIndex(high));
        Assert.Equal(new HsDirIndex(high), new HsDirIndex(high));
        var copy = new byte[32];
        new HsDirIndex(high).CopyTo(copy);
        Assert.Equal(high, copy);
    }

    private static HsDirIndex At(byte first)
    {
        var bytes = new byte[32];
        bytes[0] = first;
        return new HsDirIndex(bytes);
    }
}
