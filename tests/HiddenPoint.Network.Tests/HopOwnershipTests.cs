using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Tests;

/// <summary>A hop handed to <see cref="ClientCircuitReactor.AddHop"/> has its keys wiped on every path where it is not added.</summary>
public sealed class HopOwnershipTests
{
    [Fact]
    public async Task A_hop_posted_to_a_circuit_that_closes_before_its_turn_is_disposed()
    {
        using var runtime = TestLinks.Runtime(link: o => o.OutboundQueueCapacity = 16);
        var (link, _, _) = await RawLinkPeer.ConnectClientToRawRelayAsync(runtime);
        var circuit = OpenCircuit(link, new CgoClientCircuit());

        // The raw relay never reads: once the writer's flush is held back and the queue is full, the reactor's next
        // send waits, and everything posted after it waits behind it.
        await StallAsync(link);
        var blocked = circuit.SendAsync(HopIndex.First, TestCells.Message(link.Pool, RelayCommand.Drop, [])).AsTask();
        var hop = new CgoClientHop(KeyMaterialCircuits.NewKeyMaterial());
        Assert.True(circuit.AddHop(hop));
        var closing = circuit.CloseAsync();
        link.Abort();

        Assert.Equal(CircuitCloseReason.LocalClose, await closing.WaitAsync(TestTimeouts.Step));
        Assert.Equal(1, circuit.Hops);
        await blocked.WaitAsync(TestTimeouts.Step);
        AssertDisposed(hop);
    }

    [Fact]
    public async Task A_hop_the_circuit_cannot_take_is_disposed()
    {
        using var runtime = TestLinks.Runtime();
        var (link, _) = await TestLinks.OpenPipeLinkAsync(runtime);
        var circuit = OpenCircuit(link, new CgoClientCircuit(maxHops: 1));
        var hop = new CgoClientHop(KeyMaterialCircuits.NewKeyMaterial());

        Assert.True(circuit.AddHop(hop));
        Assert.Equal(CircuitCloseReason.InternalError, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        AssertDisposed(hop);
        link.Abort();
    }

    [Fact]
    public async Task A_hop_offered_to_a_closed_circuit_is_disposed()
    {
        using var runtime = TestLinks.Runtime();
        var (link, _) = await TestLinks.OpenPipeLinkAsync(runtime);
        var circuit = OpenCircuit(link, new CgoClientCircuit());
        await circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        var hop = new CgoClientHop(KeyMaterialCircuits.NewKeyMaterial());

        Assert.False(circuit.AddHop(hop));
        AssertDisposed(hop);
        link.Abort();
    }

    private static ClientCircuitReactor OpenCircuit(Link link, CgoClientCircuit crypto)
    {
        Assert.True(link.TryBeginCircuit(out var pending));
        crypto.AddHop(new CgoClientHop(KeyMaterialCircuits.NewKeyMaterial()));
        return link.OpenClientCircuit(pending, crypto, new RecordingHandler())!;
    }

    private static async Task StallAsync(Link link)
    {
        for (var sent = 0; !link.FlushPending; sent++)
        {
            Assert.InRange(sent, 0, 5_000);
            var cell = link.Pool.Rent();
            PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
            var send = link.SendAsync(cell).AsTask();
            if (!send.IsCompleted)
            {
                await Task.WhenAny(send, Task.Delay(5));
            }
        }

        while (true)
        {
            var cell = link.Pool.Rent();
            PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
            if (!link.TrySend(cell))
            {
                link.Pool.Return(cell);
                return;
            }
        }
    }

    // A disposed hop is refused by any circuit; one still holding keys would be taken.
    private static void AssertDisposed(CgoClientHop hop)
    {
        using var probe = new CgoClientCircuit();
        Assert.Throws<ObjectDisposedException>(() => probe.AddHop(hop));
    }
}
