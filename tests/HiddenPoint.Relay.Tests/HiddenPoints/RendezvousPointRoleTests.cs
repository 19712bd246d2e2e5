using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

public sealed class RendezvousPointRoleTests
{
    [Fact]
    public async Task Rendezvous1JoinsTheCircuitsAfterRendezvous2()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();
        var host = await relay.OpenClientAsync();
        var cookie = RandomNumberGenerator.GetBytes(20);
        await client.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await client.ReceiveAsync()).Command);
        Assert.Equal(RelayCircuitPurpose.RendezvousWaiting, (await client.RelaySide.Context).Purpose);
        Assert.Equal(1, relay.Rendezvous.WaitingCircuits);

        var serverKey = RandomNumberGenerator.GetBytes(32);
        var auth = RandomNumberGenerator.GetBytes(32);
        await host.SendAsync(new Rendezvous1Message(cookie, serverKey, auth));

        var rendezvous2 = (await client.ReceiveAsync()).Decode<Rendezvous2Message>();
        Assert.Equal(serverKey, rendezvous2.ServerPublicKey.ToArray());
        Assert.Equal(auth, rendezvous2.Auth.ToArray());
        var clientSide = await client.RelaySide.Context;
        var hostSide = await host.RelaySide.Context;
        Assert.True(clientSide.Circuit.IsJoined);
        Assert.True(hostSide.Circuit.IsJoined);
        Assert.Equal(RelayCircuitPurpose.RendezvousJoined, clientSide.Purpose);
        Assert.Equal(RelayCircuitPurpose.RendezvousJoined, hostSide.Purpose);
        Assert.Equal(0, relay.Rendezvous.WaitingCircuits);
    }

    [Fact]
    public async Task CellsTheRelayDoesNotRecogniseCrossTheJoin()
    {
        await using var relay = new RoleHarness();
        var (client, host) = await JoinedAsync(relay);

        // The host adds an end-to-end hop and sends through it: the rendezvous point cannot read the cell and passes
        // it to the client's circuit. The client here has no matching layer, so the cell reaches it unreadable and it
        // closes its circuit; the join then closes the host's side too.
        Assert.True(host.Circuit.AddHop(new CgoClientHop(RandomNumberGenerator.GetBytes(CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)))));
        var cell = host.Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, RelayCommand.Data, new StreamId(1), [1, 2, 3], RandomPaddingSource.Instance);
        Assert.Equal(CircuitSendResult.Queued, await host.Circuit.SendAsync(new HopIndex(1), cell));

        Assert.Equal(CircuitCloseReason.UnrecognizedCell, await client.ClosedAsync());
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.JoinedCircuitClosed, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await host.ClosedAsync());
        Assert.False(host.RelaySide.Unrouted.Reader.TryRead(out _));
        Assert.False(client.RelaySide.Unrouted.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ClosingOneJoinedCircuitClosesTheOther()
    {
        await using var relay = new RoleHarness();
        var (client, host) = await JoinedAsync(relay);

        await host.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await client.ClosedAsync());
    }

    [Fact]
    public async Task AReusedCookieIsRefused()
    {
        // TEST-MATRIX RP-02: a cookie seen within the replay window is refused, waiting or already joined.
        await using var relay = new RoleHarness();
        var cookie = RandomNumberGenerator.GetBytes(20);
        var first = await relay.OpenClientAsync();
        await first.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await first.ReceiveAsync()).Command);

        var second = await relay.OpenClientAsync();
        await second.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await second.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));

        var host = await relay.OpenClientAsync();
        await host.SendAsync(new Rendezvous1Message(cookie, new byte[32], new byte[32]));
        Assert.Equal(RelayCommand.Rendezvous2, (await first.ReceiveAsync()).Command);

        var third = await relay.OpenClientAsync();
        await third.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await third.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.False(first.Circuit.IsClosed);
    }

    [Fact]
    public async Task FillingTheCookieMemoryDoesNotReopenAReplayWithinTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        await using var relay = new RoleHarness(o => o.MaxRememberedCookies = 1_000, time);
        var link = await relay.OpenLinkAsync();
        var cookie = RandomNumberGenerator.GetBytes(20);
        var first = await relay.OpenClientAsync(link);
        await first.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await first.ReceiveAsync()).Command);

        // The first circuit goes away: its cookie no longer waits, it is only remembered.
        await first.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        await first.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step);

        // 999 more cookies fill the memory; the next is refused rather than the first forgotten.
        for (var i = 0; i < 999; i++)
        {
            var other = await relay.OpenClientAsync(link);
            await other.SendAsync(new EstablishRendezvousMessage(RandomNumberGenerator.GetBytes(20)));
            Assert.Equal(RelayCommand.RendezvousEstablished, (await other.ReceiveAsync()).Command);
        }

        var overflow = await relay.OpenClientAsync(link);
        await overflow.SendAsync(new EstablishRendezvousMessage(RandomNumberGenerator.GetBytes(20)));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await overflow.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));

        var replay = await relay.OpenClientAsync(link);
        await replay.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await replay.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));

        // Once the window (and the filter's quarter-window bucket) has passed, cookies are taken again.
        time.Advance(TimeSpan.FromMinutes(5 * 1.25) + TimeSpan.FromSeconds(1));
        var later = await relay.OpenClientAsync(link);
        await later.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await later.ReceiveAsync()).Command);
    }

    [Fact]
    public async Task Rendezvous1WithAnUnknownCookieClosesItsCircuit()
    {
        await using var relay = new RoleHarness();
        var host = await relay.OpenClientAsync();

        await host.SendAsync(new Rendezvous1Message(RandomNumberGenerator.GetBytes(20), new byte[32], new byte[32]));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task ACookieIsUsedOnce()
    {
        await using var relay = new RoleHarness();
        var (_, _, cookie) = await JoinedWithCookieAsync(relay);
        var late = await relay.OpenClientAsync();

        await late.SendAsync(new Rendezvous1Message(cookie, new byte[32], new byte[32]));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await late.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task MalformedEstablishRendezvousClosesTheCircuit()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();

        await client.SendRawAsync(RelayCommand.EstablishRendezvous, new byte[19]);

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, relay.Rendezvous.WaitingCircuits);
    }

    [Fact]
    public async Task AWaitingCircuitIsClosedAfterTheTimeoutAndItsRegistrationGoes()
    {
        await using var relay = new RoleHarness(o => o.RendezvousWaitTimeout = TimeSpan.FromSeconds(1));
        var client = await relay.OpenClientAsync();
        var cookie = RandomNumberGenerator.GetBytes(20);
        await client.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await client.ReceiveAsync()).Command);

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await client.ClosedAsync());
        Assert.Equal(0, relay.Rendezvous.WaitingCircuits);
    }

    [Fact]
    public async Task ClosingAWaitingCircuitForgetsItsCookieRegistration()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();
        var cookie = RandomNumberGenerator.GetBytes(20);
        await client.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await client.ReceiveAsync()).Command);

        await client.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, relay.Rendezvous.WaitingCircuits);

        var host = await relay.OpenClientAsync();
        await host.SendAsync(new Rendezvous1Message(cookie, new byte[32], new byte[32]));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    private static async Task<(RoleClient Client, RoleClient Host)> JoinedAsync(RoleHarness relay)
    {
        var (client, host, _) = await JoinedWithCookieAsync(relay);
        return (client, host);
    }

    private static async Task<(RoleClient Client, RoleClient Host, byte[] Cookie)> JoinedWithCookieAsync(RoleHarness relay)
    {
        var client = await relay.OpenClientAsync();
        var host = await relay.OpenClientAsync();
        var cookie = RandomNumberGenerator.GetBytes(20);
        await client.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await client.ReceiveAsync()).Command);
        await host.SendAsync(new Rendezvous1Message(cookie, new byte[32], new byte[32]));
        Assert.Equal(RelayCommand.Rendezvous2, (await client.ReceiveAsync()).Command);
        return (client, host, cookie);
    }
}
