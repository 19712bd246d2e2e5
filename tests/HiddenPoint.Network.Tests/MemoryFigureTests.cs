using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using Xunit.Abstractions;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// Retained memory of idle circuits and idle links, from <see cref="GC.GetTotalMemory(bool)"/> deltas over many
/// instances (docs/network.md quotes the figures). Budgets: 2 KiB per idle circuit entry (what this library adds: the
/// table entry, the reactor and its queue; the CGO key schedule of src/Crypto is reported beside it), 64 KiB per
/// idle link.
/// </summary>
[Collection(nameof(MemoryFigureTests))]
public sealed class MemoryFigureTests(ITestOutputHelper output)
{
    private const int Circuits = 4_000;
    private const int Links = 100;

    [Fact]
    public async Task Idle_relay_circuit_entry_stays_within_two_KiB()
    {
        using var runtime = TestLinks.Runtime();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay);
        var keyMaterial = KeyMaterialCircuits.NewKeyMaterial();
        var handler = new RecordingHandler();
        var circuits = new List<RelayCircuit>(Circuits);
        var before = Settle();
        for (uint i = 1; i <= Circuits; i++)
        {
            // As if the client had sent CREATE2 for id i: reserved, then accepted with its CGO layer.
            var id = new CircuitId(i | CircuitId.HighBit);
            Assert.Equal(CircuitAddResult.Added, relayLink.Table.TryAddFromPeer(id));
            var created = relayLink.Pool.Rent();
            circuits.Add(relayLink.AcceptRelayCircuit(id, new CgoRelayHop(keyMaterial), created, handler)!);

            // Each acceptance queues a CREATED2, a control cell; a link with more control cells waiting than twice its
            // outbound queue (2 × 1,024) closes itself with ResourceLimit, and on a busy machine 4,000 at once got
            // there. Let the queue drain.
            if (i % 256 == 0)
            {
                await Eventually.TrueAsync(() => relayLink.OutboundCells == 0, "the link's outbound queue to drain");
            }
        }

        await WaitUntilIdleAsync(circuits);
        var perCircuit = (Settle() - before) / Circuits;
        var hop = CgoRelayHopBytes(keyMaterial);
        output.WriteLine($"relay circuit, idle: {perCircuit} bytes, of which the CGO hop {hop}; entry without it {perCircuit - hop}");
        Assert.InRange(perCircuit - hop, 1, 2_048);
        GC.KeepAlive(circuits);
        await clientLink.DisposeAsync();
        await relayLink.DisposeAsync();
    }

    [Fact]
    public async Task Idle_client_circuit_entry_stays_within_two_KiB()
    {
        using var runtime = TestLinks.Runtime();
        var (clientLink, relayLink) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay);
        var keyMaterial = KeyMaterialCircuits.NewKeyMaterial();
        var handler = new RecordingHandler();
        var circuits = new List<ClientCircuitReactor>(Circuits);
        var before = Settle();
        for (var i = 0; i < Circuits; i++)
        {
            Assert.True(clientLink.TryBeginCircuit(out var pending));
            var crypto = new CgoClientCircuit(maxHops: 3);
            crypto.AddHop(new CgoClientHop(keyMaterial));
            circuits.Add(clientLink.OpenClientCircuit(pending, crypto, handler)!);
        }

        await WaitUntilIdleAsync(circuits);
        var perCircuit = (Settle() - before) / Circuits;
        var layers = CgoClientCircuitBytes(keyMaterial);
        output.WriteLine($"client circuit, idle, one hop: {perCircuit} bytes, of which the CGO layers {layers}; entry without them {perCircuit - layers}");
        Assert.InRange(perCircuit - layers, 1, 2_048);
        GC.KeepAlive(circuits);
        await clientLink.DisposeAsync();
        await relayLink.DisposeAsync();
    }

    [Fact]
    public async Task Idle_link_over_loopback_stays_within_64_KiB()
    {
        using var runtime = TestLinks.Runtime();
        var links = new List<Link>(2 * Links);

        // One link first, so that one-time costs (pools, JIT, socket engine) are not charged to the others.
        var (warmClient, warmServer) = await TestLinks.SocketPairAsync();
        links.AddRange(Pair(await TestLinks.OpenAsync(runtime, LinkTransport.FromSocket(warmClient), LinkTransport.FromSocket(warmServer))));
        var before = Settle();
        for (var i = 0; i < Links; i++)
        {
            var (client, server) = await TestLinks.SocketPairAsync();
            links.AddRange(Pair(await TestLinks.OpenAsync(runtime, LinkTransport.FromSocket(client), LinkTransport.FromSocket(server))));
        }

        await Task.Delay(200);
        var perLink = (Settle() - before) / (2 * Links);
        output.WriteLine($"link end, idle, loopback socket: {perLink} bytes");
        Assert.InRange(perLink, 1, 64 * 1024);
        Assert.All(links, link => Assert.Equal(LinkCloseReason.None, link.CloseReason));
        foreach (var link in links)
        {
            await link.DisposeAsync();
        }
    }

    private static long CgoRelayHopBytes(byte[] keyMaterial)
    {
        var hops = new List<CgoRelayHop>(Circuits);
        var before = Settle();
        for (var i = 0; i < Circuits; i++)
        {
            hops.Add(new CgoRelayHop(keyMaterial));
        }

        var bytes = (Settle() - before) / Circuits;
        hops.ForEach(h => h.Dispose());
        return bytes;
    }

    private static long CgoClientCircuitBytes(byte[] keyMaterial)
    {
        var all = new List<CgoClientCircuit>(Circuits);
        var before = Settle();
        for (var i = 0; i < Circuits; i++)
        {
            var crypto = new CgoClientCircuit(maxHops: 3);
            crypto.AddHop(new CgoClientHop(keyMaterial));
            all.Add(crypto);
        }

        var bytes = (Settle() - before) / Circuits;
        all.ForEach(c => c.Dispose());
        return bytes;
    }

    private static IEnumerable<Link> Pair((Link A, Link B) pair) => [pair.A, pair.B];

    private static async Task WaitUntilIdleAsync(IEnumerable<CircuitReactor> circuits)
    {
        // Each reactor starts on the thread pool and parks on its queue; give them a moment to get there.
        await Task.Delay(200);
        Assert.All(circuits, c => Assert.False(c.IsClosed));
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>Memory figures read the whole process's heap, so they run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(MemoryFigureTests), DisableParallelization = true)]
public sealed class MemoryFigureTestGroup;
