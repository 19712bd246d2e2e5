using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Tests;

public sealed class CircuitTests
{
    [Fact]
    public async Task Data_travels_both_ways_through_one_hop()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var clientHandler = new RecordingHandler();
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, clientHandler);

        Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "hello"u8)));
        var atRelay = await relay.Handlers[0].Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(RelayCommand.Data, atRelay.Command);
        Assert.Equal("hello"u8.ToArray(), atRelay.Data);

        Assert.Equal(CircuitSendResult.Queued, await relayCircuit.SendAsync(TestCells.Data(relayLink.Pool, "back"u8)));
        var atClient = await clientHandler.Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, atClient.Hop);
        Assert.Equal("back"u8.ToArray(), atClient.Data);

        Assert.Equal(CircuitCloseReason.LocalClose, await client.CloseAsync().WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await relayCircuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task A_thousand_circuits_share_one_link_and_close_cleanly()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var circuits = new List<(ClientCircuitReactor Client, RelayCircuit Relay)>();
        for (var i = 0; i < 1_000; i++)
        {
            circuits.Add(await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler()));
        }

        Assert.Equal(1_000, clientLink.CircuitCount);
        Assert.Equal(1_000, relayLink.CircuitCount);

        foreach (var (client, _) in circuits)
        {
            Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "x"u8)));
        }

        foreach (var handler in relay.Handlers)
        {
            var message = await handler.Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
            Assert.Equal("x"u8.ToArray(), message.Data);
        }

        foreach (var (client, _) in circuits)
        {
            await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        }

        foreach (var (_, relayCircuit) in circuits)
        {
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await relayCircuit.Completion.WaitAsync(TestTimeouts.Step));
        }

        Assert.Equal(0, relayLink.CircuitCount);
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Each_side_allocates_ids_from_its_own_half_and_the_other_half_is_refused()
    {
        using var runtime = TestLinks.Runtime();
        var (initiator, responder) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay, new AcceptingRelay());
        for (var i = 0; i < 100; i++)
        {
            Assert.True(initiator.TryBeginCircuit(out var mine));
            Assert.True(mine.Id.HasHighBit);
            Assert.True(responder.TryBeginCircuit(out var theirs));
            Assert.False(theirs.Id.HasHighBit);
        }

        // A CREATE2 from the initiator carrying an id of the responder's half breaks the link protocol.
        var create = initiator.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, KeyMaterialCircuits.NewKeyMaterial()).Encode(Cell.WriteHeader(create.Span, new CircuitId(7), CellCommand.Create2));
        await initiator.SendAsync(create);
        Assert.Equal(LinkCloseReason.ProtocolViolation, await responder.Completion.WaitAsync(TestTimeouts.Step));
        await initiator.DisposeAsync();
    }

    [Fact]
    public async Task Circuit_cap_per_link_refuses_the_next_CREATE2_with_DESTROY()
    {
        using var clientRuntime = TestLinks.Runtime(link: o => o.MaxCircuitsPerLink = 5);
        using var relayRuntime = TestLinks.Runtime(link: o => o.MaxCircuitsPerLink = 4);
        var relay = new AcceptingRelay();
        var (a, b, _, _) = TestLinks.PipePair();
        var (clientLink, relayLink) = await TestLinks.OpenAsync(clientRuntime, a, b, LinkKind.ClientToRelay, relay, relayRuntime);
        var open = new List<ClientCircuitReactor>();
        for (var i = 0; i < 4; i++)
        {
            open.Add((await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler())).Client);
        }

        // The relay is full: the fifth CREATE2 is answered with DESTROY(resource limit), and the link stays open.
        Assert.True(clientLink.TryBeginCircuit(out var fifth));
        var create = clientLink.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, KeyMaterialCircuits.NewKeyMaterial()).Encode(Cell.WriteHeader(create.Span, fifth.Id, CellCommand.Create2));
        await clientLink.SendAsync(create);
        var response = await fifth.Response.WaitAsync(TestTimeouts.Step);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, response.Failure);
        Assert.Equal(DestroyReason.ResourceLimit, response.DestroyReason);
        Assert.Equal(4, relayLink.CircuitCount);

        // This side's own cap: with four open and one slot left, a sixth id is not allocated.
        Assert.True(clientLink.TryBeginCircuit(out _));
        Assert.False(clientLink.TryBeginCircuit(out _));
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        Assert.All(open, c => Assert.False(c.IsClosed));
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Cells_after_DESTROY_are_absorbed_and_other_circuits_keep_working()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (doomed, doomedAtRelay) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var survivorHandler = new RecordingHandler();
        var (survivor, survivorAtRelay) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, survivorHandler);

        // The relay keeps sending on the doomed circuit while the client's DESTROY is on its way.
        var late = new List<Task>();
        await doomed.CloseAsync().WaitAsync(TestTimeouts.Step);
        for (var i = 0; i < 20; i++)
        {
            late.Add(doomedAtRelay.SendAsync(TestCells.Data(relayLink.Pool, "late"u8)).AsTask());
        }

        await Task.WhenAll(late).WaitAsync(TestTimeouts.Step);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await doomedAtRelay.Completion.WaitAsync(TestTimeouts.Step));

        Assert.Equal(CircuitSendResult.Queued, await survivorAtRelay.SendAsync(TestCells.Data(relayLink.Pool, "alive"u8)));
        var message = await survivorHandler.Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal("alive"u8.ToArray(), message.Data);
        Assert.False(survivor.IsClosed);
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Raw_relay_cells_sent_after_DESTROY_are_absorbed_by_the_DESTROY_sent_entry()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        await clientLink.AbandonAsync(pending);
        Assert.True(clientLink.Table.TryGet(pending.Id.Value, out var entry));
        Assert.Equal(CircuitEntryState.DestroySent, entry.State);

        for (var i = 0; i < 10; i++)
        {
            var cell = relayLink.Pool.Rent();
            Cell.WriteHeader(cell.Span, pending.Id, CellCommand.Relay);
            Assert.True(await relayLink.SendAsync(cell));
        }

        // A round trip on a fresh circuit proves the late cells were read (and dropped) without harm.
        var handler = new RecordingHandler();
        var (client, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, handler);
        Assert.False(client.IsClosed);
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Peer_may_reuse_an_id_once_our_DESTROY_reached_it()
    {
        using var runtime = TestLinks.Runtime();
        var requests = new RejectingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, requests);
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var create = clientLink.Pool.Rent();
            new Create2Body(HandshakeType.NtorV3, KeyMaterialCircuits.NewKeyMaterial()).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
            Assert.True(await clientLink.SendAsync(create));
            Assert.Equal(pending.Id, await requests.Requests.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step));
        }

        var response = await pending.Response.WaitAsync(TestTimeouts.Step);
        Assert.Equal(DestroyReason.ResourceLimit, response.DestroyReason);
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task SENDME_windows_let_more_than_one_window_of_DATA_through()
    {
        using var runtime = TestLinks.Runtime(circuit: o => { o.Window = 100; o.SendmeIncrement = 10; });
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        for (var i = 0; i < 350; i++)
        {
            Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, [(byte)i])).AsTask().WaitAsync(TestTimeouts.Step));
        }

        for (var i = 0; i < 350; i++)
        {
            var message = await relay.Handlers[0].Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
            Assert.Equal((byte)i, message.Data[0]);
        }

        Assert.False(client.IsClosed);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task FL06_SENDME_with_a_wrong_tag_closes_the_circuit_only()
    {
        using var runtime = TestLinks.Runtime(circuit: o => { o.Window = 100; o.SendmeIncrement = 10; });
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var clientHandler = new RecordingHandler();
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, clientHandler);
        var (bystander, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "d"u8));
        }

        // A SENDME whose tag is not the one the client's tenth DATA cell carried.
        var forged = new byte[3 + 16];
        forged[0] = 1;
        forged[2] = 16;
        await relayCircuit.SendAsync(TestCells.Message(relayLink.Pool, RelayCommand.Sendme, forged));
        Assert.Equal(CircuitCloseReason.SendmeViolation, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(bystander.IsClosed);
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task FL06_SENDME_before_any_is_due_closes_the_circuit_only()
    {
        using var runtime = TestLinks.Runtime(circuit: o => { o.Window = 100; o.SendmeIncrement = 10; });
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var (bystander, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());

        // Nine DATA cells: one short of the increment, so no SENDME is due; an early one (to reopen the window before
        // the data was delivered, as a sniper would to keep the sender pushing) is refused whatever tag it carries.
        for (var i = 0; i < 9; i++)
        {
            await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "d"u8));
        }

        var early = new byte[3 + 16];
        early[0] = 1;
        early[2] = 16;
        await relayCircuit.SendAsync(TestCells.Message(relayLink.Pool, RelayCommand.Sendme, early));
        Assert.Equal(CircuitCloseReason.SendmeViolation, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(bystander.IsClosed);
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public void FL06_The_per_circuit_queue_cap_and_window_defaults_are_within_the_bar()
    {
        // TEST-MATRIX FL-06: at most 2,500 cells (about 1 MB) queued per circuit (Tor's default); ours is lower.
        var options = new CircuitOptions();
        Assert.InRange(options.MaxQueuedCells, options.Window, 2_500);
        Assert.InRange(options.Window, options.SendmeIncrement, options.MaxQueuedCells);
    }

    [Fact]
    public async Task Client_sends_at_most_eight_RELAY_EARLY()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        for (var i = 0; i < CircuitReactor.MaxRelayEarly; i++)
        {
            Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Message(clientLink.Pool, RelayCommand.Drop, []), relayEarly: true));
        }

        Assert.Equal(CircuitSendResult.RelayEarlyExhausted, await client.SendAsync(HopIndex.First, TestCells.Message(clientLink.Pool, RelayCommand.Drop, []), relayEarly: true));
        for (var i = 0; i < CircuitReactor.MaxRelayEarly; i++)
        {
            await relay.Handlers[0].Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        }

        Assert.False(client.IsClosed);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task FL01_Relay_closes_a_circuit_on_the_ninth_inbound_RELAY_EARLY()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var keyMaterial = KeyMaterialCircuits.NewKeyMaterial();
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        var create = clientLink.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, keyMaterial).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        await clientLink.SendAsync(create);
        clientLink.Pool.Return((await pending.Response.WaitAsync(TestTimeouts.Step)).Created2);
        var relayCircuit = await relay.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);

        // A misbehaving client: encrypts by hand and sends nine RELAY_EARLY cells.
        using var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        var tag = new byte[16];
        for (var i = 0; i < 9; i++)
        {
            var cell = TestCells.Message(clientLink.Pool, RelayCommand.Drop, []);
            Cell.WriteHeader(cell.Span, pending.Id, CellCommand.RelayEarly);
            crypto.Originate(0, (byte)CellCommand.RelayEarly, cell.Body, tag);
            await clientLink.SendAsync(cell);
        }

        Assert.Equal(CircuitCloseReason.RelayEarlyViolation, await relayCircuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, clientLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task FL01_Cell_no_layer_recognises_closes_the_circuit_with_UnrecognizedCell()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var (bystander, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var forged = relayLink.Pool.Rent();
        Cell.WriteHeader(forged.Span, GetId(relayLink, relayCircuit), CellCommand.Relay);
        System.Security.Cryptography.RandomNumberGenerator.Fill(forged.Body);
        await relayLink.SendAsync(forged);
        Assert.Equal(CircuitCloseReason.UnrecognizedCell, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(bystander.IsClosed);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task RP06_OneInboundRelayEarly_ClosesTheClientsLinkToItsGuard_AndARelaysCircuitFromFurtherOut()
    {
        // TEST-MATRIX RP-06: RELAY_EARLY only ever travels away from the client; one coming back is an attack (a
        // relay marking cells for a colluder nearer the client).
        using var runtime = TestLinks.Runtime();

        // From the guard itself: a client link does not accept the command at all, so the whole link closes.
        var guard = new AcceptingRelay();
        var (clientLink, guardLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, guard);
        var handler = new RecordingHandler();
        var (client, atGuard) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, guard, handler);
        var early = guardLink.Pool.Rent();
        Cell.WriteHeader(early.Span, GetId(guardLink, atGuard), CellCommand.RelayEarly);
        System.Security.Cryptography.RandomNumberGenerator.Fill(early.Body);
        await guardLink.SendAsync(early);
        Assert.Equal(CircuitCloseReason.LinkClosed, await client.Completion.WaitAsync(TestTimeouts.Step));
        await Eventually.TrueAsync(() => clientLink.CloseReason == LinkCloseReason.ProtocolViolation, "the client's link closes as a protocol violation");
        Assert.False(handler.Messages.Reader.TryRead(out _));

        // From a relay further out: the relay nearer the client closes that circuit, and the client hears DESTROY.
        var first = new AcceptingRelay();
        var second = new AcceptingRelay();
        var (toFirst, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, first);
        var (outward, atSecondSide) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay, second);
        var farHandler = new RecordingHandler();
        var (farClient, atFirst) = await KeyMaterialCircuits.OpenCircuitAsync(toFirst, first, farHandler);
        var atSecond = await KeyMaterialCircuits.ExtendAsync(farClient, atFirst, outward, second);
        var inward = atSecondSide.Pool.Rent();
        Cell.WriteHeader(inward.Span, GetId(atSecondSide, atSecond), CellCommand.RelayEarly);
        System.Security.Cryptography.RandomNumberGenerator.Fill(inward.Body);
        await atSecondSide.SendAsync(inward);
        Assert.Equal(CircuitCloseReason.RelayEarlyViolation, await atFirst.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await farClient.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(farHandler.Messages.Reader.TryRead(out _));
        Assert.Equal(LinkCloseReason.None, toFirst.CloseReason);

        await clientLink.DisposeAsync();
        await toFirst.DisposeAsync();
        await outward.DisposeAsync();
    }

    [Fact]
    public async Task FL06_Queue_cap_closes_a_circuit_whose_reactor_falls_behind()
    {
        using var runtime = TestLinks.Runtime(circuit: o => o.MaxQueuedCells = 16);
        using var gate = new ManualResetEventSlim();
        var relay = new AcceptingRelay(() => new RecordingHandler { OnMessage = (_, _, _) => gate.Wait(TestTimeouts.Step) });
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        for (var i = 0; i < 64; i++)
        {
            await client.SendAsync(HopIndex.First, TestCells.Message(clientLink.Pool, RelayCommand.Drop, []));
        }

        // The reactor is stuck in the handler, so the overflow is seen as a close request; then let it finish.
        var reason = relayCircuit.Completion;
        Assert.True(SpinWait.SpinUntil(() => relayCircuit.IsClosed, TestTimeouts.Step));
        gate.Set();
        Assert.Equal(CircuitCloseReason.QueueOverflow, await reason.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Handler_that_throws_closes_its_circuit_only()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay(() => new RecordingHandler { OnMessage = (_, _, _) => throw new InvalidOperationException("handler bug") });
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var (bystander, _) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "boom"u8));
        Assert.Equal(CircuitCloseReason.HandlerError, await relayCircuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(bystander.IsClosed);
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Link_handler_that_throws_refuses_the_circuit_and_keeps_the_link()
    {
        using var runtime = TestLinks.Runtime();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, new ThrowingRelay());
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        var create = clientLink.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, KeyMaterialCircuits.NewKeyMaterial()).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        await clientLink.SendAsync(create);
        var response = await pending.Response.WaitAsync(TestTimeouts.Step);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, response.Failure);
        Assert.Equal(DestroyReason.Internal, response.DestroyReason);
        Assert.Equal(LinkCloseReason.None, relayLink.CloseReason);
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Opening_a_circuit_after_its_link_closed_gives_nothing()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        Assert.True(clientLink.TryBeginCircuit(out var pending));
        await clientLink.DisposeAsync();
        Assert.Equal(CircuitCloseReason.LinkClosed, (await pending.Response.WaitAsync(TestTimeouts.Step)).Failure);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(KeyMaterialCircuits.NewKeyMaterial()));
        Assert.Null(clientLink.OpenClientCircuit(pending, crypto, new RecordingHandler()));
    }

    [Fact]
    public async Task Closing_a_link_closes_its_circuits_with_LinkClosed()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        clientLink.Abort();
        Assert.Equal(CircuitCloseReason.LinkClosed, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.LinkClosed, await relayCircuit.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task Relay_passes_cells_on_to_a_second_hop_and_back()
    {
        using var runtime = TestLinks.Runtime();
        var first = new AcceptingRelay();
        var second = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, first);
        var (outward, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay, second);
        var clientHandler = new RecordingHandler();
        var (client, atFirst) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, first, clientHandler);

        // What the relay program does on EXTEND2, without the ntor handshake: CREATE2 on the next link, then attach.
        var atSecond = await KeyMaterialCircuits.ExtendAsync(client, atFirst, outward, second);

        Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(new HopIndex(1), TestCells.Data(clientLink.Pool, "far"u8)));
        var there = await second.Handlers[0].Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal("far"u8.ToArray(), there.Data);
        Assert.Equal(0, first.Handlers[0].Messages.Reader.Count);

        await atSecond.SendAsync(TestCells.Data(outward.Pool, "near"u8));
        var back = await clientHandler.Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(1, back.Hop);
        Assert.Equal("near"u8.ToArray(), back.Data);

        // Closing at the client tears down both hops.
        await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await atFirst.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await atSecond.Completion.WaitAsync(TestTimeouts.Step));
        await clientLink.DisposeAsync();
        await outward.DisposeAsync();
    }

    private static CircuitId GetId(Link relayLink, RelayCircuit circuit)
    {
        foreach (var id in Ids(relayLink))
        {
            if (relayLink.Table.TryGet(id, out var entry) && entry.Reactor == circuit)
            {
                return new CircuitId(id);
            }
        }

        throw new InvalidOperationException("circuit not on link");
    }

    private static List<uint> Ids(Link link) => link.Table.IdsForTesting();
}

/// <summary>Refuses every CREATE2 with DESTROY(resource limit), recording the ids.</summary>
internal sealed class RejectingRelay : ILinkHandler
{
    public System.Threading.Channels.Channel<CircuitId> Requests { get; } = System.Threading.Channels.Channel.CreateUnbounded<CircuitId>();

    public void OnCreateRequest(Link link, CircuitId circuitId, Cells.CellBuffer create2)
    {
        link.Pool.Return(create2);
        _ = link.RejectCircuitAsync(circuitId, DestroyReason.ResourceLimit).AsTask();
        Requests.Writer.TryWrite(circuitId);
    }
}

/// <summary>A link handler with a bug.</summary>
internal sealed class ThrowingRelay : ILinkHandler
{
    public void OnCreateRequest(Link link, CircuitId circuitId, Cells.CellBuffer create2)
    {
        link.Pool.Return(create2);
        throw new InvalidOperationException("relay bug");
    }
}
