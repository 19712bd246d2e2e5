using System.Buffers.Binary;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

public sealed class LinkHandshakeTests
{
    [Fact]
    public async Task Client_link_over_pipes_opens_and_only_the_initiator_knows_a_peer_key()
    {
        using var runtime = TestLinks.Runtime();
        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        Assert.Equal(LinkKind.ClientToRelay, client.Kind);
        Assert.Equal(LinkKind.ClientToRelay, relay.Kind);
        Assert.NotNull(client.PeerLinkKey);
        Assert.Null(relay.PeerLinkKey);
        await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        Assert.Equal(LinkCloseReason.LocalClose, await client.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.PeerClosed, await relay.Completion.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task Relay_link_over_loopback_proves_both_keys()
    {
        using var runtime = TestLinks.Runtime();
        var (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
        using var responderKey = LinkKey.Generate();
        using var initiatorKey = LinkKey.Generate();
        var accept = runtime.AcceptAsync(LinkTransport.FromSocket(serverSocket), responderKey, AcceptedLinkKinds.RelayToRelay, null);
        var connect = runtime.ConnectAsync(LinkTransport.FromSocket(clientSocket), LinkKind.RelayToRelay, responderKey.Public, initiatorKey);
        var initiator = (await TestTimeouts.Within(connect)).Link!;
        var responder = (await TestTimeouts.Within(accept)).Link!;
        Assert.Equal(responderKey.Public, initiator.PeerLinkKey);
        Assert.Equal(initiatorKey.Public, responder.PeerLinkKey);
        await initiator.DisposeAsync();
        Assert.Equal(LinkCloseReason.LocalAbort, initiator.CloseReason);
        var responderReason = await responder.Completion.WaitAsync(TestTimeouts.Step);
        Assert.True(responderReason is LinkCloseReason.PeerClosed or LinkCloseReason.TransportError, responderReason.ToString());
    }

    [Fact]
    public async Task Wrong_responder_key_fails_before_any_cell_and_other_links_are_unaffected()
    {
        using var runtime = TestLinks.Runtime();
        var (bystanderClient, bystanderRelay) = await TestLinks.OpenPipeLinkAsync(runtime);

        var (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
        using var actualKey = LinkKey.Generate();
        using var listedKey = LinkKey.Generate();
        var accept = runtime.AcceptAsync(LinkTransport.FromSocket(serverSocket), actualKey, AcceptedLinkKinds.All, null);
        var connect = runtime.ConnectAsync(LinkTransport.FromSocket(clientSocket), LinkKind.ClientToRelay, listedKey.Public, null);

        // The first message is bound to the listed key, so the relay holding another key cannot open it and hangs up.
        var responder = await TestTimeouts.Within(accept);
        Assert.Null(responder.Link);
        Assert.Equal(LinkCloseReason.HandshakeAuthenticationFailed, responder.Failure);
        var initiator = await TestTimeouts.Within(connect);
        Assert.Null(initiator.Link);
        Assert.Equal(LinkCloseReason.HandshakeTruncated, initiator.Failure);

        Assert.Equal(LinkCloseReason.None, bystanderClient.CloseReason);
        Assert.Equal(LinkCloseReason.None, bystanderRelay.CloseReason);
        await bystanderClient.DisposeAsync();
    }

    [Fact]
    public async Task Impostor_that_answers_without_the_listed_key_fails_the_initiator()
    {
        using var runtime = TestLinks.Runtime();
        var (a, _, _, rawB) = TestLinks.PipePair();
        using var listedKey = LinkKey.Generate();
        var connect = runtime.ConnectAsync(a, LinkKind.ClientToRelay, listedKey.Public, null);
        Assert.Equal((byte)LinkKind.ClientToRelay, (await RawLinkPeer.ReadExactAsync(rawB.Input, 1))[0]);
        var first = await RawLinkPeer.ReadHandshakeMessageAsync(rawB.Input);
        Assert.Equal(48, first.Length);

        // An answer of the right shape from a party that does not hold the listed key.
        var forged = new byte[2 + 48];
        forged[1] = 48;
        System.Security.Cryptography.RandomNumberGenerator.Fill(forged.AsSpan(2));
        await rawB.Output.WriteAsync(forged);
        var initiator = await TestTimeouts.Within(connect);
        Assert.Null(initiator.Link);
        Assert.Equal(LinkCloseReason.HandshakeAuthenticationFailed, initiator.Failure);
    }

    [Fact]
    public async Task Wrong_initiator_key_on_a_relay_link_is_reported_to_the_responder_as_proven()
    {
        // XK proves the initiator's key; matching it against the consensus is the relay program's call.
        using var runtime = TestLinks.Runtime();
        var (initiator, responder) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay);
        Assert.NotNull(responder.PeerLinkKey);
        Assert.NotEqual(initiator.PeerLinkKey, responder.PeerLinkKey);
        await initiator.DisposeAsync();
        await responder.DisposeAsync();
    }

    [Fact]
    public async Task Truncated_handshake_closes_with_HandshakeTruncated()
    {
        using var runtime = TestLinks.Runtime();
        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        await rawA.Output.WriteAsync(new byte[] { (byte)LinkKind.ClientToRelay, 0, 48, 1, 2, 3 });
        await rawA.Output.CompleteAsync();
        var result = await TestTimeouts.Within(accept);
        Assert.Equal(LinkCloseReason.HandshakeTruncated, result.Failure);
    }

    [Fact]
    public async Task Handshake_message_announced_too_long_is_refused_before_it_is_read()
    {
        using var runtime = TestLinks.Runtime();
        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        var header = new byte[3];
        header[0] = (byte)LinkKind.ClientToRelay;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(1), LinkFraming.MaxHandshakeMessageLength + 1);
        await rawA.Output.WriteAsync(header);
        var result = await TestTimeouts.Within(accept);
        Assert.Equal(LinkCloseReason.HandshakeMalformed, result.Failure);
    }

    [Fact]
    public async Task Unknown_or_refused_link_kind_fails_the_handshake()
    {
        using var runtime = TestLinks.Runtime();
        using var key = LinkKey.Generate();

        var (_, b, rawA, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        await rawA.Output.WriteAsync(new byte[] { 0x7f });
        Assert.Equal(LinkCloseReason.HandshakeMalformed, (await TestTimeouts.Within(accept)).Failure);

        var (a2, b2, _, _) = TestLinks.PipePair();
        var refused = runtime.AcceptAsync(b2, key, AcceptedLinkKinds.RelayToRelay, null);
        var connect = runtime.ConnectAsync(a2, LinkKind.ClientToRelay, key.Public, null);
        Assert.Equal(LinkCloseReason.LinkKindRefused, (await TestTimeouts.Within(refused)).Failure);
        Assert.Null((await TestTimeouts.Within(connect)).Link);
    }

    [Fact]
    public async Task Peer_that_stalls_mid_handshake_times_out()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time);
        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        await rawA.Output.WriteAsync(new byte[] { (byte)LinkKind.ClientToRelay, 0, 48 });
        Assert.False(accept.IsCompleted);
        time.Advance(runtime.LinkOptions.HandshakeTimeout + TimeSpan.FromSeconds(1));
        var result = await TestTimeouts.Within(accept);
        Assert.Equal(LinkCloseReason.HandshakeTimeout, result.Failure);
    }

    [Fact]
    public async Task Stalled_handshake_over_loopback_times_out_and_releases_the_socket()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time);
        var (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
        using var silent = clientSocket;
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(LinkTransport.FromSocket(serverSocket), key, AcceptedLinkKinds.All, null);
        time.Advance(runtime.LinkOptions.HandshakeTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(LinkCloseReason.HandshakeTimeout, (await TestTimeouts.Within(accept)).Failure);

        // The relay closed its end: the silent peer sees the stream end.
        var buffer = new byte[1];
        var read = await silent.ReceiveAsync(buffer.AsMemory(), System.Net.Sockets.SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, read);
    }
    [Fact]
    public async Task A_peer_that_resets_mid_handshake_is_a_failed_link_not_an_exception()
    {
        using var runtime = TestLinks.Runtime();
        using var key = LinkKey.Generate();
        for (var round = 0; round < 20; round++)
        {
            // The relay's side: the client sends half a handshake message and resets the connection.
            var (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
            var accept = runtime.AcceptAsync(LinkTransport.FromSocket(serverSocket), key, AcceptedLinkKinds.All, null);
            await clientSocket.SendAsync(new byte[] { 0, 48, 1, 2, 3 }, System.Net.Sockets.SocketFlags.None);
            clientSocket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            clientSocket.Close();
            var accepted = await TestTimeouts.Within(accept);
            Assert.Null(accepted.Link);
            Assert.NotEqual(LinkCloseReason.None, accepted.Failure);

            // The initiator's side: the relay resets as soon as the connection is up.
            (clientSocket, serverSocket) = await TestLinks.SocketPairAsync();
            serverSocket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            serverSocket.Close();
            var connected = await TestTimeouts.Within(runtime.ConnectAsync(LinkTransport.FromSocket(clientSocket), LinkKind.ClientToRelay, key.Public, null));
            Assert.Null(connected.Link);
            Assert.NotEqual(LinkCloseReason.None, connected.Failure);
        }
    }
}
