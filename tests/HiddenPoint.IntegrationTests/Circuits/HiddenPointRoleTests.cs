using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>The relay's hidden-point roles reached over real three-hop circuits, as clients and hosts reach them.</summary>
public sealed class HiddenPointRoleTests
{
    [Fact]
    public async Task An_hsdir_stores_a_descriptor_refuses_a_bad_signature_and_an_older_revision_and_serves_the_stored_one()
    {
        await using var network = await RelayNetwork.StartAsync(3, realRoles: true);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]);

        using var hiddenPoint = new TestHiddenPoint();
        var blinded = hiddenPoint.BlindedKey;
        var current = hiddenPoint.Descriptor(5);
        Assert.Equal(DirectoryStatus.Ok, await StoreAsync(circuit, 2, blinded, current));

        // One base64 letter of the signed body changed for another: still well formed, no longer what was signed.
        var forged = TestHiddenPoint.Forge(hiddenPoint.Descriptor(6));
        Assert.Equal(DirectoryStatus.Rejected, await StoreAsync(circuit, 2, blinded, forged));
        Assert.Equal(DirectoryStatus.Rejected, await StoreAsync(circuit, 2, blinded, hiddenPoint.Descriptor(4)));

        var (status, body) = await FetchAsync(circuit, 2, blinded);
        Assert.Equal(DirectoryStatus.Ok, status);
        Assert.Equal(current, body);
        Assert.Equal(1, network[2].HsDir!.Count);
        Assert.Equal(0, network[1].HsDir!.Count);
    }

    [Fact]
    public async Task A_replayed_rendezvous_cookie_is_refused_and_closes_the_circuit_that_sent_it()
    {
        await using var network = await RelayNetwork.StartAsync(3, realRoles: true);
        await using var client = new Originator();
        var waiting = await client.BuildAsync([network.StatusOf(0), network.StatusOf(1), network.StatusOf(2)]);
        var replaying = await client.BuildAsync([network.StatusOf(1), network.StatusOf(0), network.StatusOf(2)]);
        var cookie = RandomNumberGenerator.GetBytes(20);
        var rendezvousPoint = new HopIndex(2);
        var established = RelayCommandSet.Of(RelayCommand.RendezvousEstablished);

        var answer = await waiting.RequestAsync(rendezvousPoint, new EstablishRendezvousMessage(cookie), established).WaitAsync(TestTimeouts.Step);
        Assert.Equal((rendezvousPoint, RelayCommand.RendezvousEstablished), (answer.Hop, answer.Command));

        // The same cookie from another circuit to the same rendezvous point: refused with no answer, and that circuit
        // is closed.
        var refused = await Assert.ThrowsAsync<CircuitException>(
            () => replaying.RequestAsync(rendezvousPoint, new EstablishRendezvousMessage(cookie), established).WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitFailure.Closed, refused.Failure);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await replaying.Completion.WaitAsync(TestTimeouts.Step));

        // The first registration is untouched.
        Assert.False(waiting.IsClosed);
    }

    [Fact]
    public async Task A_circuit_that_sent_INTRODUCE1_cannot_be_extended()
    {
        await using var network = await RelayNetwork.StartAsync(2, realRoles: true);
        await using var client = new Originator();
        var circuit = await client.BuildAsync([network.StatusOf(0)]);

        // An INTRODUCE1 for a service the introduction point does not know: answered, and the circuit is spent.
        var introduce = new Introduce1Message(
            RandomNumberGenerator.GetBytes(32), null, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(200), RandomNumberGenerator.GetBytes(32));
        var ack = await circuit.RequestAsync(HopIndex.First, introduce, RelayCommandSet.Of(RelayCommand.IntroduceAck)).WaitAsync(TestTimeouts.Step);
        Assert.True(ack.TryDecode(out var decoded, out _));
        Assert.Equal(IntroduceAckStatus.ServiceNotRecognized, Assert.IsType<IntroduceAckMessage>(decoded).Status);

        var failure = await Assert.ThrowsAsync<CircuitException>(() => circuit.ExtendAsync(network.StatusOf(1)).WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitFailure.Closed, failure.Failure);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(HiddenPoint.Relay.Circuits.EngineLinkKind.RelayOut));
    }

    /// <summary>Stores <paramref name="descriptor"/> at <paramref name="hop"/> on a directory stream of its own; returns the answer.</summary>
    private static async Task<DirectoryStatus> StoreAsync(ClientCircuit circuit, byte hop, byte[] blindedKey, byte[] descriptor)
    {
        await using var stream = await circuit.OpenDirectoryStreamAsync(new HopIndex(hop), new DescriptorStoreMessage(blindedKey, descriptor.Length));
        await StreamIo.WriteAllAsync(stream.Output, descriptor).WaitAsync(TestTimeouts.Step);
        var response = Decode(await stream.ReceiveMessageAsync().AsTask().WaitAsync(TestTimeouts.Step));

        // Then END, and nothing else.
        Assert.Empty(await StreamIo.ReadToEndAsync(stream.Input).WaitAsync(TestTimeouts.Step));
        return response.Status;
    }

    /// <summary>Fetches the descriptor for <paramref name="blindedKey"/> from <paramref name="hop"/>: the answer, and the body that follows it.</summary>
    private static async Task<(DirectoryStatus Status, byte[] Body)> FetchAsync(ClientCircuit circuit, byte hop, byte[] blindedKey)
    {
        await using var stream = await circuit.OpenDirectoryStreamAsync(new HopIndex(hop), new DescriptorFetchMessage(blindedKey));
        var response = Decode(await stream.ReceiveMessageAsync().AsTask().WaitAsync(TestTimeouts.Step));
        var body = await StreamIo.ReadToEndAsync(stream.Input).WaitAsync(TestTimeouts.Step);
        Assert.Equal(response.BodyLength, body.Length);
        return (response.Status, body);
    }

    private static DirectoryResponseMessage Decode(RelayMessageReceived received)
    {
        Assert.Equal(RelayCommand.DirectoryResponse, received.Command);
        Assert.True(received.TryDecode<DirectoryResponseMessage>(out var message, out var error), error.ToString());
        return message;
    }
}
