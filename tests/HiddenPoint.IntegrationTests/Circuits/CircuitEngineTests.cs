using System.Net;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// Circuits through relay engines in this process over loopback: built with the client API where they should work,
/// and by hand (<see cref="RawCircuitDriver"/>) where a test sends what that API never would or reads what it hides
/// (each hop's KH, the raw answer to a CREATE2).
/// </summary>
public sealed class CircuitEngineTests
{
    private static readonly StreamId s_stream = new(1);

    [Fact]
    public async Task A_circuit_through_three_relays_carries_cells_both_ways()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0), network.StatusOf(1), network.StatusOf(2));
        Assert.Equal(3, circuit.Hops);

        // Each hop derived the same KH as the client.
        for (var i = 0; i < 3; i++)
        {
            var context = Assert.Single(network[i].Engine.Circuits);
            Assert.Equal(circuit.BindingKeys[i], context.BindingKey.ToArray());
            Assert.Equal(i < 2 ? RelayCircuitPurpose.Extended : RelayCircuitPurpose.None, context.Purpose);
        }

        // A request for hop 3 passes the guard and the middle untouched and is answered by hop 3 alone.
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(2, RelayCommand.DirectoryRequest, [1, 0], s_stream));
        var answer = await circuit.NextAsync();
        Assert.NotNull(answer);
        Assert.Equal(2, answer.Value.Hop);
        Assert.Equal(RelayCommand.DirectoryResponse, answer.Value.Command);
        Assert.Equal(1, network[2].Role.Messages);
        Assert.Equal(0, network[0].Role.Messages + network[1].Role.Messages);

        // DROP to hop 3, and a further request and answer: the cells flow in order both ways.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(2, RelayCommand.Drop, []));
        }

        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(2, RelayCommand.DirectoryRequest, [1, 0], s_stream));
        answer = await circuit.NextAsync();
        Assert.Equal(RelayCommand.DirectoryResponse, answer!.Value.Command);
        Assert.Equal(22, network[2].Engine.Metrics.CellsForRelay);
        Assert.Equal(1, network[0].Engine.Metrics.CellsForRelay); // its EXTEND2 only
        Assert.Equal(1, network[1].Engine.Metrics.CellsForRelay);

        Assert.Equal(CircuitCloseReason.LocalClose, await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step));
        foreach (var relay in network.Relays)
        {
            await Eventually.TrueAsync(() => relay.Engine.OpenCircuits == 0, "every relay forgets the circuit");
        }

        Assert.Equal(1, network[2].Role.Closed);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_the_middle_relay_destroys_the_client_circuit()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]);
        var exitCircuit = Assert.Single(network[2].Engine.Circuits).Circuit;

        await network[1].DisposeAsync();

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await exitCircuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, circuit.Link.CloseReason);
    }

    [Fact]
    public async Task A_dead_link_destroys_the_circuit_on_both_sides()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]);
        var guardCircuit = Assert.Single(network[0].Engine.Circuits).Circuit;
        var exitCircuit = Assert.Single(network[2].Engine.Circuits).Circuit;

        // The middle relay's links die with no DESTROY: the guard hears it from its outward link and tells the client,
        // the exit from its inward link.
        network[1].Engine.AbortAllLinks();

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.LinkClosed, await guardCircuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.LinkClosed, await exitCircuit.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task A_dead_client_link_destroys_the_circuit_outward()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]);
        var relayCircuits = network.Relays.Select(r => Assert.Single(r.Engine.Circuits).Circuit).ToArray();

        circuit.Link.Abort();

        Assert.Equal(CircuitCloseReason.LinkClosed, await relayCircuits[0].Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await relayCircuits[1].Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await relayCircuits[2].Completion.WaitAsync(TestTimeouts.Step));
        await Eventually.TrueAsync(() => network.Relays.All(r => r.Engine.OpenCircuits == 0), "no circuit left open");
    }

    [Fact]
    public async Task A_garbage_relay_cell_closes_that_circuit_only()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var link = await client.ConnectAsync(guard);
        var good = await RawCircuitDriver.CreateAsync(link, guard);

        // A circuit whose CREATED2 the client never turns into a circuit: a random RELAY cell on its id.
        var (pending, response, ntor) = await RawCircuitDriver.SendCreateAsync(link, guard);
        Assert.Equal(CircuitCloseReason.None, response.Failure);
        link.Pool.Return(response.Created2);
        ntor.Dispose();
        await Eventually.TrueAsync(() => network[0].Engine.OpenCircuits == 2, "both circuits open at the relay");
        var victim = network[0].Engine.Circuits.Single(c => c.BindingKey.SequenceEqual(good.BindingKeys[0]) == false).Circuit;
        var garbage = link.Pool.Rent();
        Cell.WriteHeader(garbage.Span, pending.Id, CellCommand.Relay);
        RandomNumberGenerator.Fill(garbage.Body);
        Assert.True(await link.SendAsync(garbage));

        Assert.Equal(CircuitCloseReason.UnrecognizedCell, await victim.Completion.WaitAsync(TestTimeouts.Step));
        await AssertStillServesAsync(good);
        Assert.Equal(LinkCloseReason.None, link.CloseReason);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task EXTEND2_in_a_plain_RELAY_cell_closes_the_circuit()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));
        var other = await RawCircuitDriver.CreateAsync(link, network.StatusOf(0));

        Assert.False(await RawCircuitDriver.ExtendAsync(circuit, network.StatusOf(1), relayEarly: false));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        await AssertStillServesAsync(other);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task An_unknown_command_or_a_second_EXTEND2_closes_the_circuit()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));
        var other = await RawCircuitDriver.CreateAsync(link, network.StatusOf(0));

        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(0, (RelayCommand)200, [1, 2, 3]));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));

        // EXTEND2 twice at the same hop: the first extends, the second breaks the protocol.
        Assert.True(await RawCircuitDriver.ExtendAsync(other, network.StatusOf(1)));
        other.Hops = 1;
        Assert.False(await RawCircuitDriver.ExtendAsync(other, network.StatusOf(2)));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await other.Circuit.Completion.WaitAsync(TestTimeouts.Step));

        var third = await RawCircuitDriver.CreateAsync(link, network.StatusOf(0));
        await AssertStillServesAsync(third);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task EXTEND2_to_an_identity_not_in_the_consensus_fails_cleanly()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));
        using var strangerKeys = new TestRelayKeys();
        var listed = network.StatusOf(1);
        var stranger = new RelayStatus(strangerKeys.Id, "stranger", listed.Addresses, strangerKeys.Current.LinkKey.Public,
            strangerKeys.Current.CircuitHandshakeKey.Public, listed.Flags, 1);

        Assert.False(await RawCircuitDriver.ExtendAsync(circuit, stranger));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(0, network[1].Engine.LinkCount(EngineLinkKind.RelayIn));

        var again = await RawCircuitDriver.CreateAsync(link, network.StatusOf(0));
        Assert.True(await RawCircuitDriver.ExtendAsync(again, listed));
        await link.DisposeAsync();
    }

    [Fact]
    public async Task EXTEND2_to_an_address_the_consensus_does_not_list_is_refused()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));

        // A listener the relay must never be made to reach, though it is the right relay's identity.
        using var bait = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        bait.Start();
        var baitEndpoint = (IPEndPoint)bait.LocalEndpoint;
        var pendingAccept = bait.AcceptSocketAsync();

        Assert.False(await RawCircuitDriver.ExtendAsync(circuit, network.StatusOf(1), baitEndpoint));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.False(pendingAccept.IsCompleted);
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        bait.Stop();
        await link.DisposeAsync();
    }

    [Fact]
    public async Task A_relay_link_to_a_relay_with_another_link_key_fails()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        using var impostorKey = LinkKey.Generate();
        var real = network.StatusOf(1);
        var wrong = new RelayStatus(real.Id, real.Nickname, real.Addresses, impostorKey.Public, real.CircuitHandshakeKey, real.Flags, 1);
        network[0].Consensus.Value = TestConsensus.Build([network.StatusOf(0), wrong]);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0)]);

        var failure = await Assert.ThrowsAsync<CircuitException>(() => circuit.ExtendAsync(wrong).WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitFailure.Closed, failure.Failure);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(0, network[1].Engine.LinkCount(EngineLinkKind.RelayIn));
    }

    [Fact]
    public async Task Circuits_extending_to_the_same_relay_share_one_link()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        await using var client = new Originator();
        var guard = network.StatusOf(0);
        var link = await client.ConnectAsync(guard);
        var circuits = new List<ClientCircuit>();
        for (var i = 0; i < 4; i++)
        {
            circuits.Add(await ClientCircuit.CreateAsync(link, guard));
        }

        // Extended at once: one connection attempt serves all four.
        var extended = await Task.WhenAll(circuits.Select(c => c.ExtendAsync(network.StatusOf(1)))).WaitAsync(TestTimeouts.Step);
        Assert.All(extended, hop => Assert.Equal(new HopIndex(1), hop));
        Assert.Equal(1, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(1, network[1].Engine.LinkCount(EngineLinkKind.RelayIn));
        Assert.Equal(1, network[0].Engine.RelayLinks.Count);

        // The middle relay's link back is reused too: the middle extends to the guard over the link the guard opened.
        await circuits[0].ExtendAsync(network.StatusOf(2)).WaitAsync(TestTimeouts.Step);
        var back = await ClientCircuit.CreateAsync(link, guard);
        await back.ExtendAsync(network.StatusOf(1)).WaitAsync(TestTimeouts.Step);
        await back.ExtendAsync(guard).WaitAsync(TestTimeouts.Step);
        Assert.Equal(1, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayIn));
        Assert.Equal(1, network[1].Engine.LinkCount(EngineLinkKind.RelayIn));
        Assert.Equal(1, network[1].Engine.LinkCount(EngineLinkKind.RelayOut)); // the one to relay 2 only
        await AssertStillServesAsync(back, hop: 2);
    }

    [Fact]
    public async Task A_refused_circuit_gets_DESTROY_with_resource_limit_and_the_link_stays()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var link = await client.ConnectAsync(guard);
        network[0].Admission.Refuse = HiddenPoint.Relay.Limits.AdmissionRefusal.CircuitRate;

        var (_, response, ntor) = await RawCircuitDriver.SendCreateAsync(link, guard);
        ntor.Dispose();
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, response.Failure);
        Assert.Equal(DestroyReason.ResourceLimit, response.DestroyReason);

        network[0].Admission.Refuse = HiddenPoint.Relay.Limits.AdmissionRefusal.None;
        var circuit = await RawCircuitDriver.CreateAsync(link, guard);
        await AssertStillServesAsync(circuit);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task A_CREATE2_without_CGO_or_for_another_relay_is_refused()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var link = await client.ConnectAsync(guard);

        // Addressed to relay 1's identity and onion key, sent to relay 0.
        var (_, wrongRelay, ntor) = await RawCircuitDriver.SendCreateAsync(link, network.StatusOf(1));
        ntor.Dispose();
        Assert.Equal(DestroyReason.Protocol, wrongRelay.DestroyReason);

        // ntor v3 without the CGO extension.
        var handshake = new byte[HiddenPoint.Crypto.Handshakes.NtorV3Client.GetClientHandshakeLength(1)];
        Assert.True(HiddenPoint.Crypto.Handshakes.NtorV3Client.TryStartWithExtensions(
            HiddenPoint.Crypto.Handshakes.NtorV3Labels.Hpc, guard.Id, guard.CircuitHandshakeKey,
            HiddenPoint.Crypto.Handshakes.NtorV3ExtensionList.Empty, handshake, out var plain, out _));
        plain.Dispose();
        Assert.True(link.TryBeginCircuit(out var pending));
        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, handshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        Assert.True(await link.SendAsync(create));
        var response = await pending.Response.WaitAsync(TestTimeouts.Step);
        Assert.Equal(DestroyReason.Protocol, response.DestroyReason);

        Assert.Equal(0, network[0].Engine.OpenCircuits);
        await AssertStillServesAsync(await RawCircuitDriver.CreateAsync(link, guard));
        await link.DisposeAsync();
    }

    [Fact]
    public async Task Stop_accepting_then_drain_waits_for_the_last_circuit()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var (link, circuit) = await client.BuildAsync(guard);
        var engine = network[0].Engine;

        engine.StopAccepting();
        var (_, refused, ntor) = await RawCircuitDriver.SendCreateAsync(link, guard);
        ntor.Dispose();
        Assert.Equal(DestroyReason.Hibernating, refused.DestroyReason);
        await AssertStillServesAsync(circuit);

        var drain = engine.DrainAsync(TestTimeouts.Step, CancellationToken.None);
        Assert.False(drain.IsCompleted);
        await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        await drain.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, engine.OpenCircuits);
        await link.DisposeAsync();
    }

    private static async Task AssertStillServesAsync(ClientCircuit circuit, byte hop)
    {
        await using var stream = await circuit.OpenDirectoryStreamAsync(new HopIndex(hop), new DirectoryRequestMessage(DirectoryResource.Consensus, []));
        var answer = await stream.ReceiveMessageAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(new HopIndex(hop), answer.Hop);
        Assert.Equal(RelayCommand.DirectoryResponse, answer.Command);
    }

    private static async Task AssertStillServesAsync(RawCircuit circuit, int hop = 0)
    {
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(hop, RelayCommand.DirectoryRequest, [1, 0], s_stream));
        var answer = await circuit.NextAsync();
        Assert.NotNull(answer);
        Assert.Equal(hop, answer.Value.Hop);
        Assert.Equal(RelayCommand.DirectoryResponse, answer.Value.Command);
    }
}
