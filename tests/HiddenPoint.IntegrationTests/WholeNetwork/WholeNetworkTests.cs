using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.DependencyInjection;

namespace HiddenPoint.IntegrationTests.WholeNetwork;

/// <summary>
/// The network as operators run it, in one process: three directory authorities and four relay hosts (the same
/// composition `hpc-directory run` and `hpc-relay run` build, <see cref="InProcessNetwork"/>) on loopback. Relays
/// publish their descriptors, the authorities test their link ports, vote and sign; relays fetch the consensus; a client
/// builds circuits from it.
/// </summary>
public sealed class WholeNetworkTests : IAsyncDisposable
{
    private const int RelayCount = 4;
    private InProcessNetwork? _network;

    [Fact]
    public async Task Relays_published_and_voted_by_real_authorities_carry_a_three_hop_circuit_and_serve_the_consensus()
    {
        // Relays 0 and 1 are one operator's, configured with the same Family list naming both; relay 2 claims to be
        // in relay 0's family, which does not name it back.
        _network = await InProcessNetwork.StartAsync(authorities: 3, relays: RelayCount, votingInterval: TimeSpan.FromSeconds(4), family: (index, ids) => index switch
        {
            0 or 1 => [ids[0], ids[1]],
            2 => [ids[0]],
            _ => [],
        });

        // The authorities list every relay Running (their link ports answered a real Noise handshake), and every relay
        // holds a consensus that lists the others (what EXTEND2 looks the next hop up in).
        await _network.WaitUntilReadyAsync();
        var consensus = _network.Consensus!;
        var relayIds = _network.RelayIds;
        var pinned = _network.Authorities.Select(a => a.Id).ToArray();
        Assert.True(consensus.Signers.Count >= 2);

        // Each relay's family, as its descriptor declared it, is in the consensus; only the mutual one is a family.
        var listed = relayIds.Select(id => consensus.TryGetRelay(id, out var status) ? status : throw new InvalidOperationException()).ToArray();
        Assert.Equal([relayIds[1]], listed[0].Family);
        Assert.Equal([relayIds[0]], listed[1].Family);
        Assert.Equal([relayIds[0]], listed[2].Family);
        Assert.Empty(listed[3].Family);
        Assert.True(RelayFamily.AreFamily(listed[0], listed[1]));
        Assert.False(RelayFamily.AreFamily(listed[0], listed[2]));
        Assert.False(RelayFamily.AreFamily(listed[2], listed[3]));

        await using var client = new Originator();

        // A three-hop circuit: the last hop answers a directory request, recognised by the client as from hop 3.
        await using var circuit = await client.BuildAsync(listed[..3]).WaitAsync(TestTimeouts.Step);
        var fromExit = await RequestConsensusAsync(circuit, new HopIndex(2));

        // The guard as a directory cache, over a one-hop circuit: the consensus it serves verifies.
        await using var cacheCircuit = await client.BuildAsync([listed[0]]).WaitAsync(TestTimeouts.Step);
        var fromCache = await RequestConsensusAsync(cacheCircuit, new HopIndex(0));
        var verifier = new ConsensusHolder(pinned, TimeProvider.System);
        Assert.True(verifier.Offer(fromCache).Accepted);
        var exitOffer = verifier.Offer(fromExit);
        Assert.True(exitOffer.Accepted || exitOffer.Refusal == ConsensusRefusal.NotNewer, exitOffer.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    private static async Task<byte[]> RequestConsensusAsync(ClientCircuit circuit, HopIndex hop)
    {
        await using var stream = await circuit.OpenDirectoryStreamAsync(hop, new DirectoryRequestMessage(DirectoryResource.Consensus, [])).WaitAsync(TestTimeouts.Step);
        var answer = await stream.ReceiveMessageAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(hop, answer.Hop);
        Assert.True(answer.TryDecode<DirectoryResponseMessage>(out var response, out _));
        Assert.Equal(DirectoryStatus.Ok, response.Status);
        var body = await StreamIo.ReadToEndAsync(stream.Input).WaitAsync(TestTimeouts.Step);
        Assert.Equal(response.BodyLength, body.Length);
        return body;
    }
}
