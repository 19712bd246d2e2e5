using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Cgo;

/// <summary>
/// TEST-MATRIX RP-05: a hostile middle relay that replays, reorders or flips bits in relay cells. Counter Galois
/// Onion chains each cell's tag into the next cell's keys, so the endpoint recognises none of the tampered cells, nor
/// any cell after them: a cell it does not recognise closes the circuit (CircuitTests shows the close), and no
/// tampered byte is handed on as a message.
/// </summary>
public sealed class CellTamperingTests
{
    private const byte Relay = 3;

    private enum Attack
    {
        Replay,
        Reorder,
        BitFlip,
    }

    [Fact]
    public void RP05_AMiddleThatReplaysReordersOrFlipsTenThousandCells_IsDetectedEveryTime_AndNothingTamperedIsRecognised()
    {
        const int Trials = 10_000;
        var random = new Random(1805);
        var tampered = 0;
        var recognised = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var attack = (Attack)(trial % 3);
            var forward = trial % 2 == 0;
            using var circuit = new Circuit(random);
            var good = random.Next(0, 4);
            recognised += forward ? TamperForward(circuit, random, attack, good) : TamperBackward(circuit, random, attack, good);
            tampered++;
        }

        Assert.Equal(Trials, tampered);
        Assert.Equal(0, recognised);
    }

    // Client → relay 0 → relay 1 (hostile: tampers with what it passes on) → relay 2 (the endpoint). Returns how many
    // cells the endpoint recognised from the tampered one on (it must be none).
    private static int TamperForward(Circuit circuit, Random random, Attack attack, int good)
    {
        var sent = new List<byte[]>();
        for (var i = 0; i < good; i++)
        {
            var cell = ForwardThroughMiddle(circuit, random);
            sent.Add((byte[])cell.Clone());
            Assert.True(circuit.Relays[2].ProcessForward(Relay, cell, new byte[16]), "an untouched cell is recognised");
        }

        var arrivals = new List<byte[]>();
        switch (attack)
        {
            case Attack.Replay:
                if (sent.Count == 0)
                {
                    var genuine = ForwardThroughMiddle(circuit, random);
                    sent.Add((byte[])genuine.Clone());
                    Assert.True(circuit.Relays[2].ProcessForward(Relay, genuine, new byte[16]));
                }

                arrivals.Add(sent[random.Next(sent.Count)]);
                break;
            case Attack.Reorder:
                var first = ForwardThroughMiddle(circuit, random);
                var second = ForwardThroughMiddle(circuit, random);
                arrivals.Add(second);
                arrivals.Add(first);
                break;
            default:
                var flipped = ForwardThroughMiddle(circuit, random);
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                arrivals.Add(flipped);
                break;
        }

        arrivals.Add(ForwardThroughMiddle(circuit, random)); // and an honest cell after the attack
        return arrivals.Count(cell => circuit.Relays[2].ProcessForward(Relay, cell, new byte[16]));
    }

    // Relay 2 (the endpoint answering) → relay 1 (hostile) → relay 0 → client.
    private static int TamperBackward(Circuit circuit, Random random, Attack attack, int good)
    {
        var sent = new List<byte[]>();
        for (var i = 0; i < good; i++)
        {
            var cell = BackwardThroughMiddle(circuit, random);
            sent.Add((byte[])cell.Clone());
            Assert.True(Receive(circuit, cell), "an untouched cell is recognised");
        }

        var arrivals = new List<byte[]>();
        switch (attack)
        {
            case Attack.Replay:
                if (sent.Count == 0)
                {
                    var genuine = BackwardThroughMiddle(circuit, random);
                    sent.Add((byte[])genuine.Clone());
                    Assert.True(Receive(circuit, genuine));
                }

                arrivals.Add(sent[random.Next(sent.Count)]);
                break;
            case Attack.Reorder:
                var first = BackwardThroughMiddle(circuit, random);
                var second = BackwardThroughMiddle(circuit, random);
                arrivals.Add(second);
                arrivals.Add(first);
                break;
            default:
                var flipped = BackwardThroughMiddle(circuit, random);
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                arrivals.Add(flipped);
                break;
        }

        arrivals.Add(BackwardThroughMiddle(circuit, random));
        return arrivals.Count(cell => Receive(circuit, cell));
    }

    private static byte[] ForwardThroughMiddle(Circuit circuit, Random random)
    {
        var body = NewBody(random);
        circuit.Client.Originate(2, Relay, body, new byte[16]);
        Assert.False(circuit.Relays[0].ProcessForward(Relay, body, new byte[16]));
        Assert.False(circuit.Relays[1].ProcessForward(Relay, body, new byte[16]));
        return body;
    }

    private static byte[] BackwardThroughMiddle(Circuit circuit, Random random)
    {
        var body = NewBody(random);
        circuit.Relays[2].Originate(Relay, body, new byte[16]);
        circuit.Relays[1].ProcessBackward(Relay, body);
        return body;
    }

    private static bool Receive(Circuit circuit, byte[] body)
    {
        circuit.Relays[0].ProcessBackward(Relay, body);
        return circuit.Client.TryReceive(Relay, body, new byte[16], out _);
    }

    private static byte[] NewBody(Random random)
    {
        var body = new byte[CgoSizes.BodyLength];
        random.NextBytes(body.AsSpan(16));
        return body;
    }

    private sealed class Circuit : IDisposable
    {
        public Circuit(Random random)
        {
            Client = new CgoClientCircuit(3);
            Relays = new CgoRelayHop[3];
            for (var i = 0; i < 3; i++)
            {
                var material = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
                random.NextBytes(material);
                Client.AddHop(new CgoClientHop(material, CgoAesKeySize.Aes128, PrimitiveImplementation.Intrinsic));
                Relays[i] = new CgoRelayHop(material, CgoAesKeySize.Aes128, PrimitiveImplementation.Intrinsic);
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
}
