using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>The relay's hidden-point roles reached over real three-hop circuits, as clients and hosts reach them.</summary>
public sealed class HiddenPointRoleTests
{
    [Fact]
    public async Task An_hsdir_stores_a_descriptor_refuses_a_bad_signature_and_an_older_revision_and_serves_the_stored_one()
    {
        await using var network = await RelayNetwork.StartAsync(3, realRoles: true);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0), network.StatusOf(1), network.StatusOf(2));

        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var signing = HsDescriptorSigningKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var period = TimePeriod.FromInstant(now);
        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc).Bytes.ToArray();
        byte[] Descriptor(ulong revision) => HiddenPointDescriptor.Build(identity, period, signing, new HsDescriptorContent
        {
            RevisionCounter = revision,
            CertificatesExpire = now.AddHours(54),
            IntroductionPoints = [],
        });

        var current = Descriptor(5);
        Assert.Equal(DirectoryStatus.Ok, await StoreAsync(circuit, 2, new StreamId(1), blinded, current));

        // One base64 letter of the signed body changed for another: still well formed, no longer what was signed.
        var text = System.Text.Encoding.ASCII.GetString(Descriptor(6));
        var at = text.IndexOf("superencrypted ", StringComparison.Ordinal) + 20;
        var forged = System.Text.Encoding.ASCII.GetBytes(text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..]);
        Assert.Equal(DirectoryStatus.Rejected, await StoreAsync(circuit, 2, new StreamId(2), blinded, forged));
        Assert.Equal(DirectoryStatus.Rejected, await StoreAsync(circuit, 2, new StreamId(3), blinded, Descriptor(4)));

        var (status, body) = await FetchAsync(circuit, 2, new StreamId(4), blinded);
        Assert.Equal(DirectoryStatus.Ok, status);
        Assert.Equal(current, body);
        Assert.Equal(1, network[2].HsDir!.Count);
        Assert.Equal(0, network[1].HsDir!.Count);

        await link.DisposeAsync();
    }

    [Fact]
    public async Task A_replayed_rendezvous_cookie_is_refused_and_closes_the_circuit_that_sent_it()
    {
        await using var network = await RelayNetwork.StartAsync(3, realRoles: true);
        using var client = new RawCircuitDriver();
        var (linkA, waiting) = await client.BuildAsync(network.StatusOf(0), network.StatusOf(1), network.StatusOf(2));
        var (linkB, replaying) = await client.BuildAsync(network.StatusOf(1), network.StatusOf(0), network.StatusOf(2));
        var cookie = RandomNumberGenerator.GetBytes(20);

        Assert.Equal(CircuitSendResult.Queued, await waiting.SendAsync(2, RelayCommand.EstablishRendezvous, cookie));
        var established = await waiting.NextAsync();
        Assert.Equal((2, RelayCommand.RendezvousEstablished), (established!.Value.Hop, established.Value.Command));

        // The same cookie from another circuit to the same rendezvous point: refused, and that circuit is closed.
        await replaying.SendAsync(2, RelayCommand.EstablishRendezvous, cookie);
        Assert.Null(await replaying.NextAsync());
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await replaying.Circuit.Completion.WaitAsync(TestTimeouts.Step));

        // The first registration is untouched.
        Assert.False(waiting.Circuit.IsClosed);
        await linkA.DisposeAsync();
        await linkB.DisposeAsync();
    }

    [Fact]
    public async Task A_circuit_that_sent_INTRODUCE1_cannot_be_extended()
    {
        await using var network = await RelayNetwork.StartAsync(2, realRoles: true);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));

        // An INTRODUCE1 for a service the introduction point does not know: answered, and the circuit is spent.
        var introduce = new Introduce1Message(
            RandomNumberGenerator.GetBytes(32), null, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(200), RandomNumberGenerator.GetBytes(32));
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(0, RelayCommand.Introduce1, introduce.EncodeData()));
        var ack = await ExpectAsync(circuit, RelayCommand.IntroduceAck);
        Assert.True(RelayMessage.TryDecode(RelayCommand.IntroduceAck, ack, out var decoded, out _));
        Assert.Equal(IntroduceAckStatus.ServiceNotRecognized, Assert.IsType<IntroduceAckMessage>(decoded).Status);

        Assert.False(await RawCircuitDriver.ExtendAsync(circuit, network.StatusOf(1)));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(HiddenPoint.Relay.Circuits.EngineLinkKind.RelayOut));
        await link.DisposeAsync();
    }

    private static async Task<DirectoryStatus> StoreAsync(RawCircuit circuit, int hop, StreamId stream, byte[] blindedKey, byte[] descriptor)
    {
        var store = new DescriptorStoreMessage(blindedKey, descriptor.Length).EncodeData();
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(hop, RelayCommand.DescriptorStore, store, stream));
        var chunk = RelayCell.MaxDataLength(RelayCommand.Data);
        for (var offset = 0; offset < descriptor.Length; offset += chunk)
        {
            var part = descriptor.AsSpan(offset, Math.Min(chunk, descriptor.Length - offset));
            Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(hop, RelayCommand.Data, part, stream));
        }

        var response = await ExpectAsync(circuit, RelayCommand.DirectoryResponse);
        var status = Decode(response).Status;
        await ExpectAsync(circuit, RelayCommand.End);
        return status;
    }

    private static async Task<(DirectoryStatus Status, byte[] Body)> FetchAsync(RawCircuit circuit, int hop, StreamId stream, byte[] blindedKey)
    {
        var fetch = new DescriptorFetchMessage(blindedKey).EncodeData();
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(hop, RelayCommand.DescriptorFetch, fetch, stream));
        var response = Decode(await ExpectAsync(circuit, RelayCommand.DirectoryResponse));
        var body = new List<byte>();
        while (true)
        {
            var next = await circuit.NextAsync();
            Assert.NotNull(next);
            if (next.Value.Command == RelayCommand.End)
            {
                break;
            }

            Assert.Equal(RelayCommand.Data, next.Value.Command);
            body.AddRange(next.Value.Data);
        }

        Assert.Equal(response.BodyLength, body.Count);
        return (response.Status, body.ToArray());
    }

    private static async Task<byte[]> ExpectAsync(RawCircuit circuit, RelayCommand command)
    {
        var next = await circuit.NextAsync();
        Assert.NotNull(next);
        Assert.Equal(command, next.Value.Command);
        return next.Value.Data;
    }

    private static DirectoryResponseMessage Decode(byte[] data)
    {
        var reader = new WireReader(data);
        Assert.True(DirectoryResponseMessage.TryDecode(ref reader, out var message, out var error), error.ToString());
        return message;
    }
}
