using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Cgo;

public sealed class CgoCircuitTests
{
    private const byte Relay = 3;
    private const byte RelayEarly = 9;

    public static TheoryData<PrimitiveImplementation, PrimitiveImplementation, CgoAesKeySize> Pairings => new()
    {
        { PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Intrinsic, CgoAesKeySize.Aes128 },
        { PrimitiveImplementation.Portable, PrimitiveImplementation.Portable, CgoAesKeySize.Aes128 },
        { PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Portable, CgoAesKeySize.Aes128 },
        { PrimitiveImplementation.Portable, PrimitiveImplementation.Intrinsic, CgoAesKeySize.Aes256 },
        { PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Intrinsic, CgoAesKeySize.Aes256 },
    };

    /// <summary>A client and three relays built from the same per-hop key material.</summary>
    private sealed class TestCircuit : IDisposable
    {
        public TestCircuit(int seed, PrimitiveImplementation client, PrimitiveImplementation relays, CgoAesKeySize keySize)
        {
            var random = new Random(seed);
            Client = new CgoClientCircuit(3);
            Relays = new CgoRelayHop[3];
            for (var i = 0; i < 3; i++)
            {
                var material = new byte[CgoSizes.KeyMaterialLength(keySize)];
                random.NextBytes(material);
                Client.AddHop(new CgoClientHop(material, keySize, client));
                Relays[i] = new CgoRelayHop(material, keySize, relays);
            }
        }

        public CgoClientCircuit Client { get; }

        public CgoRelayHop[] Relays { get; }

        public void Dispose()
        {
            Client.Dispose();
            foreach (var relay in Relays)
            {
                relay.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairings))]
    public void Cells_reach_the_right_hop_in_both_directions(
        PrimitiveImplementation client, PrimitiveImplementation relays, CgoAesKeySize keySize)
    {
        using var circuit = new TestCircuit(42, client, relays, keySize);
        var random = new Random(5);
        var body = new byte[CgoSizes.BodyLength];
        var message = new byte[CgoSizes.MessageLength];
        var clientTag = new byte[16];
        var relayTag = new byte[16];
        for (var trial = 0; trial < 60; trial++)
        {
            var hop = random.Next(3);
            var command = random.Next(2) == 0 ? Relay : RelayEarly;
            random.NextBytes(message);

            // Forward: the client originates, each relay peels one layer, the target recognises.
            message.CopyTo(body, 16);
            circuit.Client.Originate(hop, command, body, clientTag);
            for (var i = 0; i < hop; i++)
            {
                Assert.False(circuit.Relays[i].ProcessForward(command, body, relayTag));
            }

            Assert.True(circuit.Relays[hop].ProcessForward(command, body, relayTag));
            Assert.Equal(clientTag, relayTag);
            Assert.Equal(message, body[16..]);

            // Backward: the relay originates, the relays before it add their layers, the client peels.
            random.NextBytes(message);
            message.CopyTo(body, 16);
            circuit.Relays[hop].Originate(command, body, relayTag);
            for (var i = hop - 1; i >= 0; i--)
            {
                circuit.Relays[i].ProcessBackward(command, body);
            }

            Assert.True(circuit.Client.TryReceive(command, body, clientTag, out var from));
            Assert.Equal(hop, from);
            Assert.Equal(relayTag, clientTag);
            Assert.Equal(message, body[16..]);
        }
    }

    [Fact]
    public void Flipping_any_bit_between_hops_breaks_this_cell_and_every_later_one()
    {
        const int Bits = CgoSizes.BodyLength * 8;
        var tag = new byte[16];
        var body = new byte[CgoSizes.BodyLength];
        var message = new byte[CgoSizes.MessageLength];
        var tested = 0;
        for (var bit = 0; bit < Bits; bit += 5)
        {
            // Links 0..2 carry forward cells into relay 0, 1, 2; links 3..5 carry backward cells out of relay 2, 1, 0.
            var link = bit % 6;
            using var circuit = new TestCircuit(bit, PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Intrinsic, CgoAesKeySize.Aes128);
            var random = new Random(bit);

            // A good cell first, so the chained tags are not at their initial value.
            Assert.True(SendForward(circuit, random, body, message, tag, flipLink: -1, bit));
            Assert.True(SendBackward(circuit, random, body, message, tag, flipLink: -1, bit));

            if (link < 3)
            {
                Assert.False(SendForward(circuit, random, body, message, tag, link, bit));
                for (var later = 0; later < 3; later++)
                {
                    Assert.False(SendForward(circuit, random, body, message, tag, flipLink: -1, bit));
                }
            }
            else
            {
                Assert.False(SendBackward(circuit, random, body, message, tag, link, bit));
                for (var later = 0; later < 3; later++)
                {
                    Assert.False(SendBackward(circuit, random, body, message, tag, flipLink: -1, bit));
                }
            }

            tested++;
        }

        Assert.True(tested > 800);
    }

    [Fact]
    public void Changing_the_command_between_hops_breaks_the_cell_and_the_circuit()
    {
        using var circuit = new TestCircuit(9, PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Intrinsic, CgoAesKeySize.Aes128);
        var body = new byte[CgoSizes.BodyLength];
        var tag = new byte[16];
        circuit.Client.Originate(2, RelayEarly, body, tag);
        Assert.False(circuit.Relays[0].ProcessForward(RelayEarly, body, tag));
        Assert.False(circuit.Relays[1].ProcessForward(Relay, body, tag));
        Assert.False(circuit.Relays[2].ProcessForward(Relay, body, tag));
        circuit.Client.Originate(2, Relay, body, tag);
        Assert.False(circuit.Relays[0].ProcessForward(Relay, body, tag));
        Assert.False(circuit.Relays[1].ProcessForward(Relay, body, tag));
        Assert.False(circuit.Relays[2].ProcessForward(Relay, body, tag));
    }

    /// <summary>Client to the last hop; returns whether it recognised the cell with the right message and tag.</summary>
    private static bool SendForward(TestCircuit circuit, Random random, byte[] body, byte[] message, byte[] tag, int flipLink, int bit)
    {
        random.NextBytes(message);
        message.CopyTo(body, 16);
        circuit.Client.Originate(2, Relay, body, tag);
        var relayTag = new byte[16];
        for (var i = 0; i < 2; i++)
        {
            Flip(flipLink == i, body, bit);
            Assert.False(circuit.Relays[i].ProcessForward(Relay, body, relayTag));
        }

        Flip(flipLink == 2, body, bit);
        return circuit.Relays[2].ProcessForward(Relay, body, relayTag)
            && relayTag.AsSpan().SequenceEqual(tag) && body.AsSpan(16).SequenceEqual(message);
    }

    /// <summary>Last hop to the client; returns whether the client recognised it as from that hop, intact.</summary>
    private static bool SendBackward(TestCircuit circuit, Random random, byte[] body, byte[] message, byte[] tag, int flipLink, int bit)
    {
        random.NextBytes(message);
        message.CopyTo(body, 16);
        circuit.Relays[2].Originate(Relay, body, tag);
        Flip(flipLink == 3, body, bit);
        circuit.Relays[1].ProcessBackward(Relay, body);
        Flip(flipLink == 4, body, bit);
        circuit.Relays[0].ProcessBackward(Relay, body);
        Flip(flipLink == 5, body, bit);
        var clientTag = new byte[16];
        return circuit.Client.TryReceive(Relay, body, clientTag, out var hop)
            && hop == 2 && clientTag.AsSpan().SequenceEqual(tag) && body.AsSpan(16).SequenceEqual(message);
    }

    private static void Flip(bool flip, byte[] body, int bit)
    {
        if (flip)
        {
            body[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var material = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
        Assert.Throws<ArgumentException>(() => new CgoRelayHop(material.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => new CgoClientHop(material.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => new CgoRelayHop(material, CgoAesKeySize.Aes256));
        Assert.Throws<ArgumentException>(() => new CgoRelayHop(new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes256) + 1], CgoAesKeySize.Aes256));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgoRelayHop(material, (CgoAesKeySize)24));

        using var relay = new CgoRelayHop(material);
        var tag = new byte[16];
        foreach (var length in new[] { 0, 16, 508, 510 })
        {
            var body = new byte[length];
            Assert.Throws<ArgumentException>(() => relay.ProcessForward(Relay, body, tag));
            Assert.Throws<ArgumentException>(() => relay.ProcessBackward(Relay, body));
            Assert.Throws<ArgumentException>(() => relay.Originate(Relay, body, tag));
        }

        var good = new byte[CgoSizes.BodyLength];
        Assert.Throws<ArgumentException>(() => relay.ProcessForward(Relay, good, new byte[15]));
        Assert.Throws<ArgumentException>(() => relay.Originate(Relay, good, new byte[15]));

        using var circuit = new CgoClientCircuit(1);
        circuit.AddHop(new CgoClientHop(material));
        Assert.Throws<InvalidOperationException>(() => circuit.AddHop(new CgoClientHop(material)));
        Assert.Throws<ArgumentException>(() => circuit.Originate(0, Relay, new byte[508], tag));
        Assert.Throws<ArgumentException>(() => circuit.Originate(0, Relay, good, new byte[15]));
        Assert.Throws<ArgumentOutOfRangeException>(() => circuit.Originate(1, Relay, good, tag));
        Assert.Throws<ArgumentOutOfRangeException>(() => circuit.Originate(-1, Relay, good, tag));
        Assert.Throws<ArgumentException>(() => circuit.TryReceive(Relay, new byte[510], tag, out _));
        Assert.Throws<ArgumentException>(() => circuit.TryReceive(Relay, good, new byte[15], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgoClientCircuit(0));
    }

    [Fact]
    public void Disposed_hops_refuse_work()
    {
        var material = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
        var relay = new CgoRelayHop(material);
        relay.Dispose();
        Assert.Throws<ObjectDisposedException>(() => relay.ProcessBackward(Relay, new byte[CgoSizes.BodyLength]));
        var hop = new CgoClientHop(material);
        hop.Dispose();
        using var circuit = new CgoClientCircuit();
        Assert.Throws<ObjectDisposedException>(() => circuit.AddHop(hop));
    }

    [Fact]
    public void Key_material_sizes_follow_the_aes_key_size()
    {
        Assert.Equal(160, CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128));
        Assert.Equal(224, CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes256));
        Assert.Equal(80, CgoSizes.DirectionKeyMaterialLength(CgoAesKeySize.Aes128));
    }
}
