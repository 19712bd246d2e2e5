using System.Net.Sockets;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

public sealed class LinkFrameTests
{
    private static async Task<(Link Relay, Crypto.Noise.NoiseTransport Peer, DuplexPipe Raw, LinkRuntime Runtime)> RelayWithRawClientAsync(FakeTimeProvider? time = null)
    {
        var runtime = TestLinks.Runtime(time);
        var (_, b, rawA, _) = TestLinks.PipePair();
        var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, new AcceptingRelay());
        var peer = await RawLinkPeer.InitiateClientAsync(rawA, key.Public);
        var result = await TestTimeouts.Within(accept);
        Assert.NotNull(result.Link);
        return (result.Link, peer, rawA, runtime);
    }

    [Fact]
    public async Task Cells_flow_both_ways_in_order()
    {
        using var runtime = TestLinks.Runtime();
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, new AcceptingRelay());
        var bystander = await TestLinks.OpenPipeLinkAsync(runtime);
        for (var i = 0; i < 50; i++)
        {
            var cell = client.Pool.Rent();
            PaddingBody.Encode(Cell.WriteHeader(cell.Span, null, CellCommand.Padding));
            Assert.True(await client.SendAsync(cell));
        }

        await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        Assert.Equal(LinkCloseReason.PeerClosed, await relay.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, bystander.Initiator.CloseReason);
        await bystander.Initiator.DisposeAsync();
    }

    [Fact]
    public async Task Garbage_after_the_handshake_closes_with_FrameAuthenticationFailed()
    {
        var (relay, _, raw, runtime) = await RelayWithRawClientAsync();
        using (runtime)
        {
            var bystander = await TestLinks.OpenPipeLinkAsync(runtime);
            await raw.Output.WriteAsync(RandomNumberGenerator.GetBytes(LinkFraming.FrameLength));
            Assert.Equal(LinkCloseReason.FrameAuthenticationFailed, await relay.Completion.WaitAsync(TestTimeouts.Step));
            Assert.Equal(LinkCloseReason.None, bystander.Responder.CloseReason);
            await bystander.Initiator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Forged_frame_with_one_flipped_bit_closes_with_FrameAuthenticationFailed()
    {
        var (relay, peer, raw, runtime) = await RelayWithRawClientAsync();
        using (runtime)
        {
            var cell = new byte[Cell.Length];
            PaddingBody.Encode(Cell.WriteHeader(cell, null, CellCommand.Padding));
            await raw.Output.WriteAsync(RawLinkPeer.Seal(peer, cell));
            var forged = RawLinkPeer.Seal(peer, cell);
            forged[100] ^= 1;
            await raw.Output.WriteAsync(forged);
            Assert.Equal(LinkCloseReason.FrameAuthenticationFailed, await relay.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task Oversized_frame_closes_with_FrameAuthenticationFailed()
    {
        // A frame sealed over more than one cell: the reader takes exactly one frame's bytes, whose tag cannot verify.
        var (relay, peer, raw, runtime) = await RelayWithRawClientAsync();
        using (runtime)
        {
            await raw.Output.WriteAsync(RawLinkPeer.Seal(peer, new byte[Cell.Length * 2]));
            Assert.Equal(LinkCloseReason.FrameAuthenticationFailed, await relay.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task Authentic_frame_with_a_bad_cell_closes_with_ProtocolViolation()
    {
        var (relay, peer, raw, runtime) = await RelayWithRawClientAsync();
        using (runtime)
        {
            var cell = new byte[Cell.Length];
            cell[Cell.CommandOffset] = 200; // unknown command
            await raw.Output.WriteAsync(RawLinkPeer.Seal(peer, cell));
            Assert.Equal(LinkCloseReason.ProtocolViolation, await relay.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task Command_not_allowed_on_the_link_closes_with_ProtocolViolation()
    {
        // A relay never sends CREATE2 to a client.
        using var runtime = TestLinks.Runtime();
        var (client, relay, peer) = await RawLinkPeer.ConnectClientToRawRelayAsync(runtime);
        var cell = new byte[Cell.Length];
        Cell.WriteHeader(cell, new CircuitId(5), CellCommand.Create2);
        await relay.Output.WriteAsync(RawLinkPeer.Seal(peer, cell));
        Assert.Equal(LinkCloseReason.ProtocolViolation, await client.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task Peer_that_stops_mid_frame_closes_with_TruncatedFrame()
    {
        var (relay, peer, raw, runtime) = await RelayWithRawClientAsync();
        using (runtime)
        {
            var frame = RawLinkPeer.Seal(peer, new byte[Cell.Length]);
            await raw.Output.WriteAsync(frame.AsMemory(0, 100));
            await raw.Output.CompleteAsync();
            Assert.Equal(LinkCloseReason.TruncatedFrame, await relay.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task Peer_that_aborts_mid_stream_over_loopback_closes_the_link_only()
    {
        using var runtime = TestLinks.Runtime();
        var relayHandler = new AcceptingRelay();
        var (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
        var (client, relay) = await TestLinks.OpenAsync(runtime, LinkTransport.FromSocket(clientSocket), LinkTransport.FromSocket(serverSocket), responderHandler: relayHandler);
        var (bystanderClient, bystanderRelay) = await TestLinks.OpenPipeLinkAsync(runtime);

        // Reset the connection under the client: the relay's read fails or ends mid-stream.
        clientSocket.LingerState = new LingerOption(true, 0);
        clientSocket.Close();
        var reason = await relay.Completion.WaitAsync(TestTimeouts.Step);
        Assert.True(reason is LinkCloseReason.TransportError or LinkCloseReason.PeerClosed, reason.ToString());
        await client.DisposeAsync();

        Assert.Equal(LinkCloseReason.None, bystanderClient.CloseReason);
        Assert.Equal(LinkCloseReason.None, bystanderRelay.CloseReason);
        await bystanderClient.DisposeAsync();
    }

    [Fact]
    public async Task Silent_peer_is_closed_for_IdleTimeout()
    {
        var time = new FakeTimeProvider();
        var (relay, _, _, runtime) = await RelayWithRawClientAsync(time);
        using (runtime)
        {
            for (var i = 0; i < 20 && !relay.Completion.IsCompleted; i++)
            {
                time.Advance(runtime.LinkOptions.IdleTimeout / 4);
                await Task.WhenAny(relay.Completion, Task.Delay(50));
            }

            Assert.Equal(LinkCloseReason.IdleTimeout, await relay.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    [Fact]
    public async Task Keepalive_padding_keeps_a_quiet_link_open()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time);
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        var step = runtime.LinkOptions.KeepaliveInterval / 4;
        var end = runtime.LinkOptions.IdleTimeout * 3;
        for (var elapsed = TimeSpan.Zero; elapsed < end; elapsed += step)
        {
            time.Advance(step);

            // Let both links' timers and the padding they send run before the clock moves on.
            await Task.Delay(20);
        }

        Assert.Equal(LinkCloseReason.None, client.CloseReason);
        Assert.Equal(LinkCloseReason.None, relay.CloseReason);
        await client.DisposeAsync();
        await relay.DisposeAsync();
    }
}
