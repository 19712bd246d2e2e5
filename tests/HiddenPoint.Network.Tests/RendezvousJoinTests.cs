using System.IO.Pipelines;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// Two circuits joined at a relay (the rendezvous point). Both originators are driven by hand, so each can check the
/// end-to-end layer the other added: the relay only moves the cells across, it never reads them.
/// </summary>
public sealed class RendezvousJoinTests
{
    [Fact]
    public async Task JoinedCircuitsCarryCellsBothWaysWithoutTheRelayReadingThem()
    {
        var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        using var keyA = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, keyA);
        await using var b = await HandClient.ConnectAsync(runtime, relay, keyA);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);

        Assert.True(relayA.TryJoin(relayB));
        Assert.True(relayA.IsJoined);
        Assert.True(relayB.IsJoined);
        Assert.False(relayB.TryJoin(relayA));

        // Each direction has its own end-to-end key: the sender originates to it as to one more hop, the receiver
        // removes it as the hop itself would.
        var aToB = KeyMaterialCircuits.NewKeyMaterial();
        var bToA = KeyMaterialCircuits.NewKeyMaterial();
        a.AddSendingEndToEnd(aToB);
        b.AddSendingEndToEnd(bToA);
        using var bReads = new CgoRelayHop(aToB);
        using var aReads = new CgoRelayHop(bToA);

        for (var i = 0; i < 20; i++)
        {
            var payload = new byte[1 + (i * 23)];
            payload.AsSpan().Fill((byte)(i + 1));
            await a.SendEndToEndAsync(payload);
            Assert.Equal(payload, await b.ReceiveEndToEndAsync(bReads));

            var reply = new byte[488 - i];
            reply.AsSpan().Fill((byte)(0x80 + i));
            await b.SendEndToEndAsync(reply);
            Assert.Equal(reply, await a.ReceiveEndToEndAsync(aReads));
        }

        foreach (var handler in relay.Handlers)
        {
            Assert.False(handler.Messages.Reader.TryRead(out _), "the relay read a cell that crossed the join");
        }

        Assert.False(relayA.IsClosed);
        Assert.False(relayB.IsClosed);
    }

    [Fact]
    public async Task DestroyingOneSideDestroysTheOther()
    {
        var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        using var key = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, key);
        await using var b = await HandClient.ConnectAsync(runtime, relay, key);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);
        Assert.True(relayA.TryJoin(relayB));

        await a.SendDestroyAsync();

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await TestTimeouts.Within(relayA.Completion));
        Assert.Equal(CircuitCloseReason.JoinedCircuitClosed, await TestTimeouts.Within(relayB.Completion));
        var cell = await b.ReadCellAsync();
        Assert.Equal(CellCommand.Destroy, (CellCommand)cell[Cell.CommandOffset]);
        Assert.Equal((byte)DestroyReason.Destroyed, cell[Cell.BodyOffset]);
    }

    [Fact]
    public async Task ClosingTheRelaySideClosesBoth()
    {
        var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        using var key = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, key);
        await using var b = await HandClient.ConnectAsync(runtime, relay, key);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);
        Assert.True(relayB.TryJoin(relayA));

        await TestTimeouts.Within(relayB.CloseAsync());
        Assert.Equal(CircuitCloseReason.JoinedCircuitClosed, await TestTimeouts.Within(relayA.Completion));
        Assert.Equal(CellCommand.Destroy, (CellCommand)(await a.ReadCellAsync())[Cell.CommandOffset]);
        Assert.Equal(CellCommand.Destroy, (CellCommand)(await b.ReadCellAsync())[Cell.CommandOffset]);
    }

    [Fact]
    public async Task ABackedUpJoinIsClosedByAQueueCapNotGrown()
    {
        // B never reads, so its side backs up: the cells A pushes across pile up in B's circuit queue (or, while B's
        // reactor waits on its link, in A's), and a queue cap closes one circuit, and with it the other, instead of
        // either queue growing.
        var runtime = TestLinks.Runtime(link: o => o.OutboundQueueCapacity = 16, circuit: o => o.MaxQueuedCells = 16);
        var relay = new AcceptingRelay();
        using var key = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, key);
        await using var b = await HandClient.ConnectAsync(runtime, relay, key);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);
        Assert.True(relayA.TryJoin(relayB));
        a.AddSendingEndToEnd(KeyMaterialCircuits.NewKeyMaterial());

        for (var i = 0; i < 3_000 && !relayB.IsClosed && !relayA.IsClosed; i++)
        {
            await a.SendEndToEndAsync(new byte[400]);
        }

        var reasons = new[] { await TestTimeouts.Within(relayA.Completion), await TestTimeouts.Within(relayB.Completion) };
        Assert.Contains(CircuitCloseReason.QueueOverflow, reasons);
        Assert.Contains(CircuitCloseReason.JoinedCircuitClosed, reasons);
    }

    [Fact]
    public async Task RelayEarlyNeverCrossesTheJoin()
    {
        var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        using var key = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, key);
        await using var b = await HandClient.ConnectAsync(runtime, relay, key);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);
        Assert.True(relayA.TryJoin(relayB));
        a.AddSendingEndToEnd(KeyMaterialCircuits.NewKeyMaterial());

        await a.SendEndToEndAsync([1, 2, 3], CellCommand.RelayEarly);

        Assert.Equal(CircuitCloseReason.RelayEarlyViolation, await TestTimeouts.Within(relayA.Completion));
        Assert.Equal(CircuitCloseReason.JoinedCircuitClosed, await TestTimeouts.Within(relayB.Completion));
    }

    [Fact]
    public async Task JoinIsRefusedForClosedOrSameCircuits()
    {
        var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        using var key = LinkKey.Generate();
        await using var a = await HandClient.ConnectAsync(runtime, relay, key);
        await using var b = await HandClient.ConnectAsync(runtime, relay, key);
        var relayA = await a.CreateCircuitAsync(relay);
        var relayB = await b.CreateCircuitAsync(relay);

        Assert.False(relayA.TryJoin(relayA));
        await TestTimeouts.Within(relayB.CloseAsync());
        Assert.False(relayA.TryJoin(relayB));
        Assert.False(relayA.IsJoined);
        Assert.False(relayA.IsClosed);
    }

    /// <summary>
    /// A client whose link and CGO layers are driven by hand: it sends with one <see cref="CgoClientCircuit"/> (the
    /// relay's hop, then the end-to-end hop) and receives with another that holds only the relay's hop, so that what
    /// is left after the relay's layer can be checked with the end-to-end key.
    /// </summary>
    private sealed class HandClient : IAsyncDisposable
    {
        private static uint s_nextId = 0x80000100;

        private readonly IDuplexPipe _pipe;
        private readonly NoiseTransport _transport;
        private readonly Link _relayLink;
        private readonly CgoClientCircuit _send = new();
        private readonly CgoClientCircuit _receive = new();
        private readonly byte[] _tag = new byte[CgoSizes.TagLength];
        private CircuitId _id;

        private HandClient(IDuplexPipe pipe, NoiseTransport transport, Link relayLink)
        {
            _pipe = pipe;
            _transport = transport;
            _relayLink = relayLink;
        }

        public static async Task<HandClient> ConnectAsync(LinkRuntime runtime, AcceptingRelay relay, LinkKey relayKey)
        {
            var (_, relaySide, raw, _) = TestLinks.PipePair();
            var accept = runtime.AcceptAsync(relaySide, relayKey, AcceptedLinkKinds.All, relay);
            var transport = await RawLinkPeer.InitiateClientAsync(raw, relayKey.Public);
            var accepted = await TestTimeouts.Within(accept);
            Assert.Equal(LinkCloseReason.None, accepted.Failure);
            return new HandClient(raw, transport, accepted.Link!);
        }

        public async Task<RelayCircuit> CreateCircuitAsync(AcceptingRelay relay)
        {
            _id = new CircuitId(Interlocked.Increment(ref s_nextId));
            var keyMaterial = KeyMaterialCircuits.NewKeyMaterial();
            var cell = new byte[Cell.Length];
            new Create2Body(HandshakeType.NtorV3, keyMaterial).Encode(Cell.WriteHeader(cell, _id, CellCommand.Create2));
            await WriteCellAsync(cell);
            var created = await ReadCellAsync();
            Assert.Equal(CellCommand.Created2, (CellCommand)created[Cell.CommandOffset]);
            _send.AddHop(new CgoClientHop(keyMaterial));
            _receive.AddHop(new CgoClientHop(keyMaterial));
            return await relay.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        }

        public void AddSendingEndToEnd(byte[] keyMaterial) => _send.AddHop(new CgoClientHop(keyMaterial));

        public async Task SendEndToEndAsync(byte[] payload, CellCommand command = CellCommand.Relay)
        {
            var cell = new byte[Cell.Length];
            var body = Cell.WriteHeader(cell, _id, command);
            RelayCell.Encode(body, RelayCommand.Data, new StreamId(7), payload, RandomPaddingSource.Instance);
            _send.Originate(1, (byte)command, body, _tag);
            await WriteCellAsync(cell);
        }

        public async Task<byte[]> ReceiveEndToEndAsync(CgoRelayHop endToEnd)
        {
            var cell = await ReadCellAsync();
            Assert.Equal(CellCommand.Relay, (CellCommand)cell[Cell.CommandOffset]);
            var body = cell.AsSpan(Cell.BodyOffset);

            // The relay's layer comes off without the relay's hop recognising the cell: it did not originate it.
            Assert.False(_receive.TryReceive((byte)CellCommand.Relay, body, _tag, out _));
            Assert.True(endToEnd.ProcessForward((byte)CellCommand.Relay, body, _tag));
            Assert.True(RelayCell.TryParse(body, out var view, out _));
            Assert.Equal(RelayCommand.Data, view.Command);
            Assert.Equal(7, view.StreamId.Value);
            return view.Data.ToArray();
        }

        public async Task SendDestroyAsync()
        {
            var cell = new byte[Cell.Length];
            Cell.WriteHeader(cell, _id, CellCommand.Destroy)[0] = (byte)DestroyReason.Requested;
            await WriteCellAsync(cell);
        }

        public async Task<byte[]> ReadCellAsync()
        {
            while (true)
            {
                var frame = await RawLinkPeer.ReadExactAsync(_pipe.Input, LinkFraming.FrameLength);
                var cell = new byte[Cell.Length];
                Assert.Equal(NoiseError.None, _transport.Receiver.Decrypt(frame, cell));
                if ((CellCommand)cell[Cell.CommandOffset] != CellCommand.Padding)
                {
                    return cell;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _relayLink.DisposeAsync();
            _send.Dispose();
            _receive.Dispose();
            _transport.Dispose();
        }

        private async Task WriteCellAsync(byte[] cell)
        {
            await _pipe.Output.WriteAsync(RawLinkPeer.Seal(_transport, cell));
        }
    }
}
