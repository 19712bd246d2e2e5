using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;

namespace HiddenPoint.Network.Tests;

/// <summary>A relay that rotated its link key still answers initiators that address the previous one.</summary>
public sealed class LinkKeyRotationTests
{
    [Theory]
    [InlineData(LinkKind.ClientToRelay)]
    [InlineData(LinkKind.RelayToRelay)]
    public async Task Initiator_addressing_the_previous_key_opens_a_link_during_the_overlap(LinkKind kind)
    {
        using var runtime = TestLinks.Runtime();
        using var previous = LinkKey.Generate();
        using var current = LinkKey.Generate();
        var relay = new AcceptingRelay();
        var (initiator, responder) = await OpenAsync(runtime, kind, current, previous, addressed: previous, relay);
        Assert.Equal(previous.Public, initiator.PeerLinkKey);
        await ExchangeAndCloseAsync(initiator, responder, relay);
    }

    [Theory]
    [InlineData(LinkKind.ClientToRelay)]
    [InlineData(LinkKind.RelayToRelay)]
    public async Task Initiator_addressing_the_current_key_opens_a_link_while_a_previous_key_is_held(LinkKind kind)
    {
        using var runtime = TestLinks.Runtime();
        using var previous = LinkKey.Generate();
        using var current = LinkKey.Generate();
        var relay = new AcceptingRelay();
        var (initiator, responder) = await OpenAsync(runtime, kind, current, previous, addressed: current, relay);
        Assert.Equal(current.Public, initiator.PeerLinkKey);
        await ExchangeAndCloseAsync(initiator, responder, relay);
    }

    [Fact]
    public async Task Key_that_is_neither_current_nor_previous_fails_the_handshake()
    {
        using var runtime = TestLinks.Runtime();
        using var previous = LinkKey.Generate();
        using var current = LinkKey.Generate();
        using var other = LinkKey.Generate();
        var (a, b, _, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, current, previous, AcceptedLinkKinds.All, null);
        var connect = runtime.ConnectAsync(a, LinkKind.ClientToRelay, other.Public, null);
        var responder = await TestTimeouts.Within(accept);
        Assert.Null(responder.Link);
        Assert.Equal(LinkCloseReason.HandshakeAuthenticationFailed, responder.Failure);
        Assert.Null((await TestTimeouts.Within(connect)).Link);
    }

    [Fact]
    public async Task Once_the_previous_key_is_dropped_it_no_longer_opens_a_link()
    {
        using var runtime = TestLinks.Runtime();
        using var previous = LinkKey.Generate();
        using var current = LinkKey.Generate();
        var (a, b, _, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, current, AcceptedLinkKinds.All, null);
        var connect = runtime.ConnectAsync(a, LinkKind.ClientToRelay, previous.Public, null);
        var responder = await TestTimeouts.Within(accept);
        Assert.Null(responder.Link);
        Assert.Equal(LinkCloseReason.HandshakeAuthenticationFailed, responder.Failure);
        Assert.Null((await TestTimeouts.Within(connect)).Link);
    }

    [Fact]
    public async Task Malformed_first_message_is_refused_without_trying_the_previous_key_as_authenticated()
    {
        using var runtime = TestLinks.Runtime();
        using var previous = LinkKey.Generate();
        using var current = LinkKey.Generate();
        var (_, b, rawA, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, current, previous, AcceptedLinkKinds.All, null);

        // A kind byte and a frame too short to hold an ephemeral key and a tag.
        await rawA.Output.WriteAsync(new byte[] { (byte)LinkKind.ClientToRelay, 0, 3, 1, 2, 3 });
        var responder = await TestTimeouts.Within(accept);
        Assert.Null(responder.Link);
        Assert.Equal(LinkCloseReason.HandshakeMalformed, responder.Failure);
    }

    private static async Task<(Link Initiator, Link Responder)> OpenAsync(
        LinkRuntime runtime, LinkKind kind, LinkKey current, LinkKey previous, LinkKey addressed, AcceptingRelay relay)
    {
        using var initiatorKey = LinkKey.Generate();
        var (a, b, _, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, current, previous, AcceptedLinkKinds.All, relay);
        var connect = runtime.ConnectAsync(a, kind, addressed.Public, kind == LinkKind.RelayToRelay ? initiatorKey : null);
        var initiator = await TestTimeouts.Within(connect);
        var responder = await TestTimeouts.Within(accept);
        Assert.Equal(LinkCloseReason.None, initiator.Failure);
        Assert.Equal(LinkCloseReason.None, responder.Failure);
        if (kind == LinkKind.RelayToRelay)
        {
            Assert.Equal(initiatorKey.Public, responder.Link!.PeerLinkKey);
        }

        return (initiator.Link!, responder.Link!);
    }

    // The transport keys agree both ways: a CREATE2 is opened by the relay and its CREATED2 by the initiator.
    private static async Task ExchangeAndCloseAsync(Link initiator, Link responder, AcceptingRelay relay)
    {
        var (client, relayCircuit) = await KeyMaterialCircuits.OpenCircuitAsync(initiator, relay, new RecordingHandler());
        Assert.NotNull(client);
        Assert.NotNull(relayCircuit);
        await initiator.CloseAsync().WaitAsync(TestTimeouts.Step);
        Assert.Equal(LinkCloseReason.LocalClose, await initiator.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.PeerClosed, await responder.Completion.WaitAsync(TestTimeouts.Step));
    }
}
