using System.Net;
using HiddenPoint.IntegrationTests.Circuits;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Testing;

namespace HiddenPoint.IntegrationTests.Client;

/// <summary>The originator's circuit handle over real loopback links to relay engines in this process.</summary>
public sealed class ClientCircuitTests
{
    [Fact]
    public async Task A_three_hop_circuit_is_built_through_the_handle_and_each_hop_answers()
    {
        await using var network = await RelayNetwork.StartAsync(3);
        await using var client = new Originator();
        await using var circuit = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]).WaitAsync(TestTimeouts.Step);

        Assert.Equal(3, circuit.HopCount);
        Assert.Equal(new HopIndex(2), circuit.LastHop);
        Assert.Equal("hop 3", circuit.LastHop.ToString());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i < 2 ? RelayCircuitPurpose.Extended : RelayCircuitPurpose.None, Assert.Single(network[i].Engine.Circuits).Purpose);
        }

        // A directory request to each hop is answered by that hop alone, on its own stream.
        for (byte hop = 0; hop < 3; hop++)
        {
            await using var stream = await circuit.OpenDirectoryStreamAsync(new HopIndex(hop), new DirectoryRequestMessage(DirectoryResource.Consensus, []));
            var answer = await stream.ReceiveMessageAsync().AsTask().WaitAsync(TestTimeouts.Step);
            Assert.Equal(new HopIndex(hop), answer.Hop);
            Assert.Equal(RelayCommand.DirectoryResponse, answer.Command);
        }

        // Each hop saw its request and the END that closed the stream, nothing else.
        await Eventually.TrueAsync(() => network.Relays.All(r => r.Role.Messages == 2), "each hop sees its request and its END");
    }

    [Fact]
    public async Task Circuits_built_one_after_another_over_one_guard_link_all_open()
    {
        await using var network = await RelayNetwork.StartAsync(4);
        await using var client = new Originator();
        var link = await client.ConnectAsync(network.StatusOf(0));

        for (var i = 0; i < 20; i++)
        {
            var circuit = await ClientCircuit.CreateAsync(link, network.StatusOf(0)).WaitAsync(TestTimeouts.Step);
            await circuit.ExtendAsync(network.StatusOf(1)).WaitAsync(TestTimeouts.Step);
            await circuit.ExtendAsync(network.StatusOf(2 + (i % 2))).WaitAsync(TestTimeouts.Step);
            Assert.Equal(CircuitCloseReason.LocalClose, await circuit.CloseAsync().WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task An_extension_the_relay_cannot_make_fails_with_the_step_and_the_hop()
    {
        await using var network = await RelayNetwork.StartAsync(2);
        await using var client = new Originator();
        await using var circuit = await ClientCircuit.CreateAsync(await client.ConnectAsync(network.StatusOf(0)), network.StatusOf(0));
        var unlisted = Unlisted(network.StatusOf(1));

        var error = await Assert.ThrowsAsync<CircuitException>(() => circuit.ExtendAsync(unlisted).WaitAsync(TestTimeouts.Step));
        Assert.True(error.Failure == CircuitFailure.Closed, error.Message);

        Assert.Equal(CircuitStep.Extend, error.Step);
        Assert.Equal(CircuitFailure.Closed, error.Failure);
        Assert.Equal(new HopIndex(1), error.Hop);
        Assert.True(circuit.IsClosed);
    }

    [Fact]
    public async Task An_unexpected_extended2_closes_the_circuit()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        await using var client = new Originator();
        await using var circuit = await ClientCircuit.CreateAsync(await client.ConnectAsync(network.StatusOf(0)), network.StatusOf(0));
        var relaySide = Assert.Single(network[0].Engine.Circuits);

        // The relay sends EXTENDED2 that nothing on the circuit asked for.
        var cell = relaySide.Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, new Extended2Message(new byte[64]), default, RandomPaddingSource.Instance);
        await relaySide.Circuit.SendAsync(cell);

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await circuit.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task A_send_to_a_hop_the_circuit_does_not_have_is_a_typed_error()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        await using var client = new Originator();
        await using var circuit = await ClientCircuit.CreateAsync(await client.ConnectAsync(network.StatusOf(0)), network.StatusOf(0));

        var error = await Assert.ThrowsAsync<CircuitException>(async () => await circuit.SendAsync(new HopIndex(1), new DropMessage()));

        Assert.Equal(CircuitFailure.NoSuchHop, error.Failure);
        Assert.Equal(CircuitStep.Send, error.Step);
    }

    [Fact]
    public async Task Two_streams_carry_data_both_ways_at_once_and_a_slow_reader_slows_only_its_own()
    {
        await using var network = await RelayNetwork.StartAsync(5, realRoles: true);
        await using var client = new Originator();
        await using var pair = await Joined(network, client);

        var slow = await pair.OpenAsync(port: 1);
        var fast = await pair.OpenAsync(port: 2);

        // The slow stream's reader at the host never reads: its sender can put at most one stream window on the way.
        var stalledPayload = new byte[StreamWindow.Initial * RelayCell.MaxDataWithStream * 3];
        var stalled = StreamIo.WriteAllAsync(slow.Client.Output, stalledPayload);

        // Meanwhile 2 MB go both ways on the other stream.
        var up = RandomBytes(2_000_000, 1);
        var down = RandomBytes(2_000_000, 2);
        var sendUp = StreamIo.WriteAllAsync(fast.Client.Output, up);
        var sendDown = StreamIo.WriteAllAsync(fast.Host.Output, down);
        var readAtHost = StreamIo.ReadExactlyAsync(fast.Host.Input, up.Length);
        var readAtClient = StreamIo.ReadExactlyAsync(fast.Client.Input, down.Length);
        Assert.Equal(up, await readAtHost.WaitAsync(TestTimeouts.Step));
        Assert.Equal(down, await readAtClient.WaitAsync(TestTimeouts.Step));
        await sendUp.WaitAsync(TestTimeouts.Step);
        await sendDown.WaitAsync(TestTimeouts.Step);

        // The stalled writer is still waiting: the slow stream holds what its window allows and no more.
        Assert.False(stalled.IsCompleted);

        // Once its reader reads, all of it arrives.
        Assert.Equal(stalledPayload, await StreamIo.ReadExactlyAsync(slow.Host.Input, stalledPayload.Length).WaitAsync(TestTimeouts.Step));
        await stalled.WaitAsync(TestTimeouts.Step);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_stream_closed_by_either_end_ends_at_both(bool clientCloses)
    {
        await using var network = await RelayNetwork.StartAsync(5, realRoles: true);
        await using var client = new Originator();
        await using var pair = await Joined(network, client);
        var (atClient, atHost) = await pair.OpenAsync(port: 7);
        var (closer, other) = clientCloses ? (atClient, atHost) : (atHost, atClient);

        await closer.Output.WriteAsync("last words"u8.ToArray());
        await closer.CloseAsync().WaitAsync(TestTimeouts.Step);

        // What was written before the END arrives, then the stream ends cleanly at the other end.
        Assert.Equal("last words"u8.ToArray(), await StreamIo.ReadToEndAsync(other.Input).WaitAsync(TestTimeouts.Step));
        var ended = await other.Completion.WaitAsync(TestTimeouts.Step);
        Assert.Equal(new StreamEnd(EndReason.Done, ByPeer: true), ended);
        Assert.False((await closer.Completion).ByPeer);

        // The circuit carries on: another stream opens.
        var (again, againAtHost) = await pair.OpenAsync(port: 8);
        await again.Output.WriteAsync("again"u8.ToArray());
        Assert.Equal("again"u8.ToArray(), await StreamIo.ReadExactlyAsync(againAtHost.Input, 5).WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task A_begin_the_host_refuses_is_a_typed_error_at_the_client()
    {
        await using var network = await RelayNetwork.StartAsync(5, realRoles: true);
        await using var client = new Originator();
        await using var pair = await Joined(network, client);

        var opening = pair.Client.OpenStreamAsync(pair.ClientEndToEnd, 99);
        var incoming = await pair.Incoming.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(99, incoming.VirtualPort);
        incoming.Reject(EndReason.ConnectRefused);

        var error = await Assert.ThrowsAsync<CircuitException>(() => opening.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitFailure.StreamRefused, error.Failure);
        Assert.Equal(EndReason.ConnectRefused, error.StreamEndReason);
        Assert.Equal(pair.ClientEndToEnd, error.Hop);
    }

    private static Task<JoinedPair> Joined(RelayNetwork network, Originator originator) =>
        JoinedPair.ConnectAsync(
            originator,
            originator,
            [network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)],
            [network.StatusOf(3), network.StatusOf(4), network.StatusOf(2)]).WaitAsync(TestTimeouts.Step);

    private static RelayStatus Unlisted(RelayStatus listed) => new(
        listed.Id,
        listed.Nickname,
        [new RelayAddress(IPAddress.Loopback, 1)],
        listed.LinkKey,
        listed.CircuitHandshakeKey,
        listed.Flags,
        listed.BandwidthWeight);

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
