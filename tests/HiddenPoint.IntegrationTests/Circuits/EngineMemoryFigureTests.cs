using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// The memory figure of docs/benchmarks.md: 10,000 circuits open through one relay engine. Tagged
/// <c>Category=Figures</c> so that a run can leave it out (<c>--filter "Category!=Figures"</c>); it takes a few
/// seconds.
/// </summary>
public sealed class EngineMemoryFigureTests(ITestOutputHelper output)
{
    private const int Circuits = 10_000;
    private const int Batch = 1_000;

    [Fact]
    [Trait("Category", "Figures")]
    public async Task Ten_thousand_open_circuits_fit_in_100_MB()
    {
        await using var network = await RelayNetwork.StartAsync(1);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var links = new[] { await client.ConnectAsync(guard), await client.ConnectAsync(guard) };
        var handshake = RawCircuitDriver.StartHandshake(guard, out var ntor);
        ntor.Dispose();

        // Warm up the paths (pools, JIT) with a few circuits, then measure from a collected heap.
        await OpenAsync(links[0], handshake, 64);
        await Eventually.TrueAsync(() => network[0].Engine.OpenCircuits == 64, "warm-up circuits open");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        for (var opened = 0; opened < Circuits; opened += Batch)
        {
            await OpenAsync(links[(opened / Batch) % 2], handshake, Batch);
        }

        await Eventually.TrueAsync(() => network[0].Engine.OpenCircuits == Circuits + 64, "all circuits open at the relay");
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perCircuit = (after - before) / (double)Circuits;
        output.WriteLine($"{Circuits} circuits: {(after - before) / 1e6:F1} MB managed heap growth, {perCircuit / 1024:F2} KB per circuit " +
            "(relay reactor, CGO hop, context and both link table entries; the client side holds only its pending ids)");
        Assert.True(after - before < 100_000_000, $"{after - before} bytes");
        GC.KeepAlive(links);
    }

    /// <summary>CREATE2s with one replayed handshake (the relay answers each with fresh keys); waits for every CREATED2.</summary>
    private static async Task OpenAsync(Link link, byte[] handshake, int count)
    {
        var waits = new List<Task<CircuitCreateResponse>>(count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(link.TryBeginCircuit(out var pending));
            var create = link.Pool.Rent();
            new Create2Body(HandshakeType.NtorV3, handshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
            Assert.True(await link.SendAsync(create));
            waits.Add(pending.Response);
        }

        foreach (var response in await Task.WhenAll(waits).WaitAsync(TestTimeouts.Step))
        {
            Assert.Equal(CircuitCloseReason.None, response.Failure);
            link.Pool.Return(response.Created2);
        }

        Assert.Equal(LinkCloseReason.None, link.CloseReason);
    }
}
