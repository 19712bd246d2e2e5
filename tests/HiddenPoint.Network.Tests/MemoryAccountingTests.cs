using System.IO.Pipelines;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// Cells queued in reactors count in the runtime's <see cref="CircuitQueueAccount"/>, and each reactor knows how old
/// its oldest queued item is: what the relay's memory limit reads.
/// </summary>
public sealed class MemoryAccountingTests
{
    [Fact]
    public async Task Queued_cells_count_per_circuit_and_per_runtime_and_are_released_when_drained()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        using var runtime = TestLinks.Runtime(time);
        using var gate = new ManualResetEventSlim();
        var relay = new AcceptingRelay(() => new RecordingHandler { OnMessage = (_, _, _) => gate.Wait(TestTimeouts.Step) });
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        Assert.Equal(0, runtime.QueuedCells.Cells);
        Assert.Equal(0, relayCircuit.OldestQueuedTimestamp);
        Assert.Equal(TimeSpan.Zero, relayCircuit.OldestQueuedAge);

        // The relay's reactor is held in its handler by the first cell; the rest wait in its queue.
        const int Sent = 40;
        for (var i = 0; i < Sent; i++)
        {
            Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Message(clientLink.Pool, RelayCommand.Drop, [])));
        }

        Assert.True(SpinWait.SpinUntil(() => relayCircuit.HeldCells == Sent - 1, TestTimeouts.Step), $"held {relayCircuit.HeldCells}");
        Assert.True(SpinWait.SpinUntil(() => runtime.QueuedCells.Cells == Sent - 1, TestTimeouts.Step), $"runtime {runtime.QueuedCells.Cells}");
        Assert.Equal((Sent - 1) * (long)CircuitQueueAccount.BytesPerCell, runtime.QueuedCells.Bytes);
        Assert.Equal(0, client.HeldCells);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotEqual(0, relayCircuit.OldestQueuedTimestamp);
        Assert.Equal(TimeSpan.FromSeconds(5), relayCircuit.OldestQueuedAge);

        gate.Set();
        Assert.True(SpinWait.SpinUntil(() => relayCircuit.HeldCells == 0 && runtime.QueuedCells.Cells == 0, TestTimeouts.Step));
        Assert.Equal(0, relayCircuit.OldestQueuedTimestamp);
        Assert.False(relayCircuit.IsClosed);
        await clientLink.DisposeAsync();
        await relayCircuit.Completion.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, runtime.QueuedCells.Cells);
    }

    [Fact]
    public async Task Local_messages_waiting_for_window_count_and_carry_their_age()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        using var runtime = TestLinks.Runtime(time, circuit: o =>
        {
            o.Window = 100;
            o.SendmeIncrement = 100;
        });
        using var gate = new ManualResetEventSlim();

        // The relay takes DATA but is held before answering with SENDME, so the client's window closes.
        var relay = new AcceptingRelay(() => new RecordingHandler { OnMessage = (_, _, _) => gate.Wait(TestTimeouts.Step) });
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        for (var i = 0; i < 110; i++)
        {
            Assert.Equal(CircuitSendResult.Queued, await client.SendAsync(HopIndex.First, TestCells.Data(clientLink.Pool, "x"u8)));
        }

        Assert.True(SpinWait.SpinUntil(() => client.HeldCells == 10, TestTimeouts.Step), $"client held {client.HeldCells}");
        var blockedSince = client.OldestQueuedTimestamp;
        Assert.NotEqual(0, blockedSince);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), client.OldestQueuedAge);
        Assert.True(runtime.QueuedCells.Cells >= 10);

        // Closing lets go of everything queued on both sides.
        gate.Set();
        await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        await relayCircuit.Completion.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, client.HeldCells);
        Assert.Equal(0, client.OldestQueuedTimestamp);
        Assert.True(SpinWait.SpinUntil(() => runtime.QueuedCells.Cells == 0, TestTimeouts.Step));
        await clientLink.DisposeAsync();
    }

    [Fact]
    public async Task Closing_a_circuit_stalled_on_a_link_that_no_longer_drains_frees_its_queue_at_once()
    {
        // Client → first relay → second relay. The client stops reading; the second relay pushes cells back. The first
        // relay's link to the client fills, its reactor waits for room, and cells from the second relay queue up in
        // the first relay's circuit: the sniper attack's shape.
        using var runtime = TestLinks.Runtime(circuit: o => o.MaxQueuedCells = 10_000);
        var first = new AcceptingRelay();
        var second = new AcceptingRelay();
        GatedPipeReader? clientInput = null;
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, first, reader => clientInput = new GatedPipeReader(reader));
        var (outward, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay, second);
        var (client, atFirst) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, first, new RecordingHandler());
        var atSecond = await KeyMaterialCircuits.ExtendAsync(client, atFirst, outward, second);

        clientInput!.Close();
        var pushing = Task.Run(async () =>
        {
            for (var i = 0; i < 4_000 && !atSecond.IsClosed; i++)
            {
                await atSecond.SendAsync(TestCells.Message(outward.Pool, RelayCommand.Drop, []));
            }
        });
        Assert.True(SpinWait.SpinUntil(() => atFirst.HeldCells >= 500, TestTimeouts.Step), $"held {atFirst.HeldCells}");
        Assert.True(runtime.QueuedCells.Cells >= 500);

        _ = atFirst.CloseAsync();
        Assert.True(SpinWait.SpinUntil(() => atFirst.HeldCells == 0, TestTimeouts.Step), $"held {atFirst.HeldCells}");
        Assert.True(atFirst.IsClosed);

        // DESTROY went outward; inward it waits for the stalled link. Once the client reads again everything finishes.
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await atSecond.Completion.WaitAsync(TestTimeouts.Step));
        await pushing.WaitAsync(TestTimeouts.Step);
        clientInput!.Open();
        Assert.Equal(CircuitCloseReason.LocalClose, await atFirst.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.True(SpinWait.SpinUntil(() => runtime.QueuedCells.Cells == 0, TestTimeouts.Step), $"runtime {runtime.QueuedCells.Cells}");
        await clientLink.DisposeAsync();
        await outward.DisposeAsync();
    }

    [Fact]
    public async Task Cells_waiting_on_a_link_count_per_link_and_per_runtime_with_the_age_of_the_oldest()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        using var runtime = TestLinks.Runtime(time, link: o => o.OutboundQueueCapacity = 64);
        var ab = new Pipe();
        var ba = new Pipe();
        var peerInput = new GatedPipeReader(ab.Reader);
        var (link, peer) = await TestLinks.OpenAsync(
            runtime, LinkTransport.FromDuplexPipe(new DuplexPipe(ba.Reader, ab.Writer)), LinkTransport.FromDuplexPipe(new DuplexPipe(peerInput, ba.Writer)));
        Assert.Equal(0, link.OutboundCells);
        Assert.Equal(0, link.OldestOutboundTimestamp);
        Assert.Equal(0, runtime.OutboundCells.Cells);

        // The peer stops reading (a read already under way takes one last batch): the pipe fills to its pause
        // threshold, then the link's queue to its capacity.
        peerInput.Close();
        var queued = Fill(link);
        await peerInput.Parked.WaitAsync(TestTimeouts.Step);
        Assert.True(SpinWait.SpinUntil(() => (queued += Fill(link)) > 0 && link.FlushPending, TestTimeouts.Step));
        queued += Fill(link);
        Assert.InRange(queued, 64, 1_000);
        Assert.InRange(link.OutboundCells, 64, queued);
        Assert.Equal(link.OutboundCells + peer.OutboundCells, runtime.OutboundCells.Cells);
        Assert.Equal(runtime.OutboundCells.Cells * CircuitQueueAccount.BytesPerCell, runtime.OutboundCells.Bytes);
        Assert.Equal(runtime.QueuedCells.Bytes + runtime.OutboundCells.Bytes, runtime.QueuedBytes);
        var oldest = link.OldestOutboundTimestamp;
        Assert.NotEqual(0, oldest);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), time.GetElapsedTime(oldest));

        // A sender waiting for room holds its cell on the link too.
        var held = link.OutboundCells;
        var waiting = link.SendAsync(Padding(link)).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(held + 1, link.OutboundCells);

        // Aborted for the memory limit: everything queued is let go, and the runtime forgets the link.
        Assert.Contains(link, runtime.OpenLinks);
        link.AbortForMemoryLimit();
        Assert.False(await waiting.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.MemoryLimit, await link.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, link.OutboundCells);
        Assert.Equal(0, link.OldestOutboundTimestamp);
        Assert.DoesNotContain(link, runtime.OpenLinks);
        peerInput.Open();
        await peer.Completion.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, runtime.OutboundCells.Cells);
        Assert.Empty(runtime.OpenLinks);
    }

    [Fact]
    public async Task A_circuit_closed_for_the_memory_limit_sends_DESTROY_with_resource_limit()
    {
        using var runtime = TestLinks.Runtime();
        var relay = new AcceptingRelay();
        var (clientLink, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (closedForMemory, atRelay) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());
        var (closedLocally, atRelayToo) = await KeyMaterialCircuits.OpenCircuitAsync(clientLink, relay, new RecordingHandler());

        Assert.Equal(CircuitCloseReason.MemoryLimit, await atRelay.CloseForMemoryLimitAsync().WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await closedForMemory.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(DestroyReason.ResourceLimit, closedForMemory.PeerDestroyReason);
        Assert.Equal(DestroyReason.None, atRelay.PeerDestroyReason);

        // An ordinary close still says FINISHED.
        Assert.Equal(CircuitCloseReason.LocalClose, await atRelayToo.CloseAsync().WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await closedLocally.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(DestroyReason.Finished, closedLocally.PeerDestroyReason);
        await clientLink.DisposeAsync();
    }

    private static int Fill(Link link)
    {
        var queued = 0;
        while (queued < 10_000)
        {
            var cell = Padding(link);
            if (!link.TrySend(cell))
            {
                link.Pool.Return(cell);
                return queued;
            }

            queued++;
        }

        return queued;
    }

    private static HiddenPoint.Network.Cells.CellBuffer Padding(Link link)
    {
        var cell = link.Pool.Rent();
        PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
        return cell;
    }
}
