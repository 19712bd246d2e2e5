using HiddenPoint.Crypto.Cgo;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// The layers of a circuit joined at a rendezvous point, composed as the reactors compose them: the client originates
/// to its end-to-end hop through its guard, middle and rendezvous point; the rendezvous point passes the cell into
/// the host's circuit, whose three relays add their layers towards the host; the host peels its own three hops and
/// then removes the client's layer as a relay would (and the mirror image for the way back). A bit flipped anywhere
/// on the way breaks that cell and every later one: the tags chain, so the layers cannot be brought back in step.
/// </summary>
public sealed class EndToEndLayerTests
{
    private const int Cells = 6;

    // Where a bit is flipped: after the sender's end-to-end layer, or after relay 1..6 of the way.
    public static TheoryData<int, bool> Positions()
    {
        var data = new TheoryData<int, bool>();
        for (var position = 0; position <= 6; position++)
        {
            data.Add(position, true);
            data.Add(position, false);
        }

        return data;
    }

    [Fact]
    public void Untouched_cells_cross_the_join_both_ways()
    {
        using var join = new Join();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(join.ClientToHost(i, flipAt: -1, out var payload));
            Assert.Equal(Payload(i), payload);
            Assert.True(join.HostToClient(i, flipAt: -1, out payload));
            Assert.Equal(Payload(i), payload);
        }
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public void A_flipped_bit_breaks_that_cell_and_every_later_one(int position, bool clientToHost)
    {
        using var join = new Join();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(clientToHost ? join.ClientToHost(i, -1, out _) : join.HostToClient(i, -1, out _));
        }

        Assert.False(clientToHost ? join.ClientToHost(3, position, out _) : join.HostToClient(3, position, out _));
        for (var i = 4; i < 3 + Cells; i++)
        {
            Assert.False(clientToHost ? join.ClientToHost(i, -1, out _) : join.HostToClient(i, -1, out _));
        }
    }

    private static byte[] Payload(int i)
    {
        var payload = new byte[CgoSizes.MessageLength];
        payload.AsSpan().Fill((byte)(i + 1));
        return payload;
    }

    private static void Flip(byte[] body, int at, int position)
    {
        if (at == position)
        {
            body[17 + (position * 31)] ^= 0x04;
        }
    }

    /// <summary>Every layer of the joined circuit, each with its own keys.</summary>
    private sealed class Join : IDisposable
    {
        private const byte Relay = 3;

        private readonly byte[] _tag = new byte[CgoSizes.TagLength];
        private readonly CgoClientCircuit _client = new();
        private readonly CgoClientCircuit _host = new();
        private readonly CgoRelayHop[] _clientRelays = new CgoRelayHop[3];
        private readonly CgoRelayHop[] _hostRelays = new CgoRelayHop[3];
        private readonly CgoRelayHop _hostEndToEnd;

        public Join()
        {
            for (var i = 0; i < 3; i++)
            {
                var clientSide = KeyMaterialCircuits.NewKeyMaterial();
                _client.AddHop(new CgoClientHop(clientSide));
                _clientRelays[i] = new CgoRelayHop(clientSide);
                var hostSide = KeyMaterialCircuits.NewKeyMaterial();
                _host.AddHop(new CgoClientHop(hostSide));
                _hostRelays[i] = new CgoRelayHop(hostSide);
            }

            // The end-to-end hop: a client hop at the client, the relay-style mirror at the host, one key stream.
            var endToEnd = KeyMaterialCircuits.NewKeyMaterial();
            _client.AddHop(new CgoClientHop(endToEnd));
            _hostEndToEnd = new CgoRelayHop(endToEnd);
        }

        /// <summary>One cell from the client to the host; true when the host recognised it with the right payload.</summary>
        public bool ClientToHost(int index, int flipAt, out byte[] payload)
        {
            var body = new byte[CgoSizes.BodyLength];
            Payload(index).CopyTo(body, CgoSizes.TagLength);
            _client.Originate(3, Relay, body, _tag);
            Flip(body, flipAt, 0);
            var position = 1;

            // Guard, middle, rendezvous point: none of them may recognise it.
            foreach (var relay in _clientRelays)
            {
                if (relay.ProcessForward(Relay, body, _tag))
                {
                    payload = [];
                    return false;
                }

                Flip(body, flipAt, position++);
            }

            // Across the join, the host's relays add their layers, from the rendezvous point towards the host.
            for (var i = 2; i >= 0; i--)
            {
                _hostRelays[i].ProcessBackward(Relay, body);
                if (i > 0)
                {
                    Flip(body, flipAt, position++);
                }
            }

            Flip(body, flipAt, 6);
            if (_host.TryReceive(Relay, body, _tag, out _) || !_hostEndToEnd.ProcessForward(Relay, body, _tag))
            {
                payload = [];
                return false;
            }

            payload = body[CgoSizes.TagLength..];
            return payload.AsSpan().SequenceEqual(Payload(index));
        }

        /// <summary>One cell from the host to the client; true when the client recognised it at the end-to-end hop.</summary>
        public bool HostToClient(int index, int flipAt, out byte[] payload)
        {
            var body = new byte[CgoSizes.BodyLength];
            Payload(index).CopyTo(body, CgoSizes.TagLength);
            _hostEndToEnd.Originate(Relay, body, _tag);
            _host.ForwardThroughAll(Relay, body);
            Flip(body, flipAt, 0);
            var position = 1;
            foreach (var relay in _hostRelays)
            {
                if (relay.ProcessForward(Relay, body, _tag))
                {
                    payload = [];
                    return false;
                }

                Flip(body, flipAt, position++);
            }

            for (var i = 2; i >= 0; i--)
            {
                _clientRelays[i].ProcessBackward(Relay, body);
                if (i > 0)
                {
                    Flip(body, flipAt, position++);
                }
            }

            Flip(body, flipAt, 6);
            if (!_client.TryReceive(Relay, body, _tag, out var hop) || hop != 3)
            {
                payload = [];
                return false;
            }

            payload = body[CgoSizes.TagLength..];
            return payload.AsSpan().SequenceEqual(Payload(index));
        }

        public void Dispose()
        {
            _client.Dispose();
            _host.Dispose();
            _hostEndToEnd.Dispose();
            foreach (var relay in _clientRelays.Concat(_hostRelays))
            {
                relay.Dispose();
            }
        }
    }
}
