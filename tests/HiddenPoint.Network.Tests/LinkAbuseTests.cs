using System.Buffers.Binary;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>Peers that break the link's resource bounds on purpose: every such link must end, and end bounded.</summary>
public sealed class LinkAbuseTests
{
    [Fact]
    public async Task Create2_flood_on_a_full_table_from_a_peer_that_never_reads_closes_the_link_with_ResourceLimit()
    {
        using var runtime = TestLinks.Runtime(link: o => { o.MaxCircuitsPerLink = 1; o.OutboundQueueCapacity = 16; });
        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        var peer = await RawLinkPeer.InitiateClientAsync(rawA, key.Public);
        var relay = (await TestTimeouts.Within(accept)).Link!;

        // rawA.Input is never read: the relay's writer stalls once the pipe holds its pause threshold, then its queue
        // fills, and every further refusal would have to wait.
        var cell = new byte[Cell.Length];
        var maxPending = 0;
        for (uint i = 0; i < 5_000 && !relay.Completion.IsCompleted; i++)
        {
            Cell.WriteHeader(cell, new CircuitId(0x8000_0000u | (i + 1)), CellCommand.Create2);
            await rawA.Output.WriteAsync(RawLinkPeer.Seal(peer, cell)).AsTask().WaitAsync(TestTimeouts.Step);
            maxPending = Math.Max(maxPending, relay.PendingControlCells);
        }

        Assert.Equal(LinkCloseReason.ResourceLimit, await relay.Completion.WaitAsync(TestTimeouts.Step));
        Assert.InRange(maxPending, 0, runtime.LinkOptions.OutboundQueueCapacity);
    }

    [Fact]
    public async Task A_frame_in_the_same_read_as_the_last_handshake_message_is_processed_at_once()
    {
        using var runtime = TestLinks.Runtime();
        var pair = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var connect = runtime.ConnectAsync(pair.A, LinkKind.ClientToRelay, key.Public, null);
        using var handshake = NoiseHandshake.CreateResponder(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, key);
        await RawLinkPeer.ReadExactAsync(pair.RawB.Input, 1);
        var first = await RawLinkPeer.ReadHandshakeMessageAsync(pair.RawB.Input);
        Assert.Equal(NoiseError.None, handshake.ReadMessage(first, [], out _));
        var message = new byte[LinkFraming.MaxHandshakeMessageLength];
        Assert.Equal(NoiseError.None, handshake.WriteMessage([], message, out var written));

        // One write: the last handshake message, then a frame of zeros that cannot authenticate. No byte follows, so
        // the link learns of the frame only if it looks at what the handshake left in the buffer.
        var both = new byte[LinkFraming.HandshakeLengthPrefix + written + LinkFraming.FrameLength];
        BinaryPrimitives.WriteUInt16BigEndian(both, (ushort)written);
        message.AsSpan(0, written).CopyTo(both.AsSpan(LinkFraming.HandshakeLengthPrefix));
        await pair.RawB.Output.WriteAsync(both);

        var client = (await TestTimeouts.Within(connect)).Link!;
        Assert.Equal(LinkCloseReason.FrameAuthenticationFailed, await client.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task A_peer_that_sends_padding_but_never_reads_is_closed_with_WriteStalled()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time, link: o => { o.OutboundQueueCapacity = 16; o.WriteStallTimeout = TimeSpan.FromSeconds(30); });
        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        var peer = await RawLinkPeer.InitiateClientAsync(rawA, key.Public);
        var relay = (await TestTimeouts.Within(accept)).Link!;

        // rawA.Input is never read: the relay's pipe fills to its pause threshold and its writer's flush stays
        // pending. Cells are sent until that happens; a send that waits is given time only while the writer still moves.
        var waiting = Task.FromResult(true);
        for (var sent = 0; !relay.FlushPending; sent++)
        {
            Assert.InRange(sent, 0, 5_000);
            if (!waiting.IsCompleted)
            {
                await Task.WhenAny(waiting, Task.Delay(5));
                continue;
            }

            var cell = relay.Pool.Rent();
            PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
            waiting = relay.SendAsync(cell).AsTask();
        }

        // The peer keeps the link alive from its side; time moves in steps shorter than every timeout but the stall's.
        var padding = new byte[Cell.Length];
        PaddingBody.Encode(Cell.WriteHeader(padding, null, CellCommand.Padding));
        for (var step = 0; step < 12 && !relay.Completion.IsCompleted; step++)
        {
            await rawA.Output.WriteAsync(RawLinkPeer.Seal(peer, padding)).AsTask().WaitAsync(TestTimeouts.Step);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(LinkCloseReason.WriteStalled, await relay.Completion.WaitAsync(TestTimeouts.Step));
    }
}
