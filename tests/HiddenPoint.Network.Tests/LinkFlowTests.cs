using System.Buffers;
using System.IO.Pipelines;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Tests;

public sealed class LinkFlowTests
{
    [Fact]
    public async Task Graceful_close_writes_every_queued_cell_first()
    {
        using var meters = new TestMeterFactory();
        using var counter = new CellCounter(meters);
        using var runtime = TestLinks.Runtime(meters: meters);
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        var arrived = counter.Expect(3_000);
        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(await client.SendAsync(Padding(client)));
        }

        Assert.Equal(LinkCloseReason.LocalClose, await client.CloseAsync().WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.PeerClosed, await relay.Completion.WaitAsync(TestTimeouts.Step));
        await arrived.WaitAsync(TestTimeouts.Step);
        Assert.Equal(3_000, counter.Received);
    }

    [Fact]
    public async Task Reading_pauses_when_the_cell_rate_is_exceeded_and_resumes_as_the_bucket_refills()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var meters = new TestMeterFactory();
        using var counter = new CellCounter(meters);
        using var runtime = TestLinks.Runtime(time, link: o => { o.MaxCellsPerSecond = 100; o.CellBurst = 10; }, meters: meters);
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        var all = counter.Expect(100);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(await client.SendAsync(Padding(client)));
        }

        // With the clock stopped the bucket never refills: whatever the first reads took, the rest must wait.
        Assert.True(SpinWait.SpinUntil(() => counter.Received > 0, TestTimeouts.Step));
        await Task.Delay(200);
        Assert.InRange(counter.Received, 1, 99);

        for (var step = 0; step < 40 && !all.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(all, Task.Delay(50));
        }

        await all.WaitAsync(TestTimeouts.Step);
        Assert.Equal(LinkCloseReason.None, relay.CloseReason);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Peer_that_stops_reading_fills_the_bounded_queue_and_senders_wait()
    {
        using var runtime = TestLinks.Runtime(link: o => o.OutboundQueueCapacity = 16);
        var (client, _, _) = await RawLinkPeer.ConnectClientToRawRelayAsync(runtime);

        // The raw relay never reads: the pipe fills to its pause threshold, then the queue to its capacity, and
        // from then on a sender waits.
        Task<bool>? waiting = null;
        var sent = 0;
        while (waiting is null && sent < 10_000)
        {
            var send = client.SendAsync(Padding(client)).AsTask();
            sent++;
            if (send.IsCompleted || await Task.WhenAny(send, Task.Delay(1_000)) == send)
            {
                continue;
            }

            // A send still pending is a stalled link only if the queue has no room either; on a busy machine the
            // writer may merely be slow, and then the probe goes through and filling goes on.
            var probe = Padding(client);
            if (client.TrySend(probe))
            {
                sent++;
                continue;
            }

            client.Pool.Return(probe);
            waiting = send;
        }

        Assert.NotNull(waiting);
        Assert.InRange(sent, 16, 1_000);

        client.Abort();
        Assert.False(await waiting.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.LocalAbort, await client.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task Sends_on_a_closed_link_are_refused_and_the_cell_is_returned()
    {
        using var runtime = TestLinks.Runtime();
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        await client.DisposeAsync();
        Assert.False(await client.SendAsync(Padding(client)));
        var cell = Padding(client);
        Assert.False(client.TrySend(cell));
        client.Pool.Return(cell);
        Assert.False(client.TryBeginCircuit(out _));
        Assert.Equal(LinkCloseReason.PeerClosed, await relay.Completion.WaitAsync(TestTimeouts.Step));
    }

    private static Cells.CellBuffer Padding(Link link)
    {
        var cell = link.Pool.Rent();
        PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
        return cell;
    }
}

/// <summary>
/// The link's per-cell path allocates nothing once warm. It is measured on the test thread alone
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), by driving the writer's and the read loop's per-cell steps
/// of two links that are not started, so that nothing else the process does (per-batch pipe and task completions,
/// other threads, a loaded machine) is counted. The figure with both loops running, per batch included, comes from
/// LinkBenchmarks' memory diagnoser (docs/benchmarks.md).
/// </summary>
public sealed class LinkAllocationTests
{
    [Fact]
    public async Task Steady_state_cells_allocate_nothing_per_cell()
    {
        using var runtime = TestLinks.Runtime();
        var (sender, receiver) = await UnstartedPairAsync(runtime);
        var wire = new Pipe();
        var scratch = new byte[LinkFraming.FrameLength];
        var unknownCircuit = new CircuitId(0x8000_0042);

        // Warm-up: JIT, the pool, the queue's and the pipe's buffers.
        Assert.Equal(0, Push(sender, receiver, wire, scratch, unknownCircuit, 2_000));

        // Tiered compilation recompiles hot methods after their first calls, which can allocate once on this thread;
        // the figure is the smallest of a few rounds. An object per cell, or per any number of cells up to a round,
        // shows in every round.
        const int Rounds = 4;
        const int Cells = 25_000;
        var allocated = new long[Rounds];
        var failures = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            failures += Push(sender, receiver, wire, scratch, unknownCircuit, Cells);
            allocated[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, failures);
        Assert.True(allocated.Min() == 0, "bytes allocated per round of " + Cells + " cells: " + string.Join(", ", allocated));
        Assert.Equal(0, sender.OutboundCells);
    }

    /// <summary>
    /// Queues, seals, opens, decodes and dispatches <paramref name="cells"/> cells (PADDING, and RELAY for a circuit
    /// the receiver does not know, which it absorbs); returns how many steps failed. Assertions allocate, so failures
    /// are counted instead.
    /// </summary>
    private static int Push(Link sender, Link receiver, Pipe wire, byte[] scratch, CircuitId unknownCircuit, int cells)
    {
        var failures = 0;
        for (var i = 0; i < cells; i++)
        {
            var cell = sender.Pool.Rent();
            if (i % 2 == 0)
            {
                PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
            }
            else
            {
                Cell.WriteHeader(cell.Span, unknownCircuit, CellCommand.Relay);
            }

            failures += sender.TrySend(cell) ? 0 : 1;
            failures += sender.SealQueued(wire.Writer) == 1 ? 0 : 1;
            var flush = wire.Writer.FlushAsync();
            failures += flush.IsCompletedSuccessfully ? 0 : 1;
            if (!wire.Reader.TryRead(out var read) || read.Buffer.Length != LinkFraming.FrameLength)
            {
                return failures + 1;
            }

            var frame = read.Buffer;
            ReadOnlySpan<byte> sealedFrame;
            if (frame.IsSingleSegment)
            {
                sealedFrame = frame.FirstSpan;
            }
            else
            {
                frame.CopyTo(scratch);
                sealedFrame = scratch;
            }

            failures += receiver.ProcessFrame(sealedFrame) == LinkCloseReason.None ? 0 : 1;
            wire.Reader.AdvanceTo(frame.End);
        }

        return failures;
    }

    /// <summary>Two ends of a client link after a real Noise handshake, with neither loop running.</summary>
    private static async Task<(Link Sender, Link Receiver)> UnstartedPairAsync(LinkRuntime runtime)
    {
        var (a, b, rawA, rawB) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var respond = LinkHandshake.RespondAsync(rawB, key, AcceptedLinkKinds.All, CancellationToken.None);
        var initiated = await TestTimeouts.Within(LinkHandshake.InitiateAsync(rawA, LinkKind.ClientToRelay, null, key.Public, CancellationToken.None));
        var responded = await TestTimeouts.Within(respond);
        Assert.Equal(LinkCloseReason.None, initiated.Failure);
        Assert.Equal(LinkCloseReason.None, responded.Failure);
        var sender = new Link(1, a, initiated.Transport!, LinkKind.ClientToRelay, LinkSide.Initiator, key.Public, runtime, handler: null);
        var receiver = new Link(2, b, responded.Transport!, LinkKind.ClientToRelay, LinkSide.Responder, null, runtime, handler: null);
        return (sender, receiver);
    }
}
