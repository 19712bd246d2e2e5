using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Testnet.Chaos;

namespace HiddenPoint.Testnet.Tests.Chaos;

/// <summary>The delaying proxy on loopback: bytes arrive intact, in order, no sooner than the delay, and end with the link.</summary>
public sealed class DelayingProxyTests
{
    [Fact]
    public async Task Every_byte_arrives_intact_and_in_order_through_the_proxy_even_with_loss()
    {
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var proxyPort = FreePort();
        await using var proxy = DelayingProxy.Start(
            new IPEndPoint(IPAddress.Loopback, proxyPort), (IPEndPoint)relay.LocalEndpoint, new LinkImpairment(TimeSpan.FromMilliseconds(5), 0.3), seed: 7, TimeProvider.System);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxyPort).WaitAsync(TestTimeouts.Step);
        using var accepted = await relay.AcceptTcpClientAsync().WaitAsync(TestTimeouts.Step);

        // 200 chunks of increasing numbers, written one by one so that the proxy reads many chunks and loses some.
        var sent = Enumerable.Range(0, 200 * 64).Select(i => (byte)(i * 7)).ToArray();
        var clientStream = client.GetStream();
        for (var i = 0; i < 200; i++)
        {
            await clientStream.WriteAsync(sent.AsMemory(i * 64, 64));
        }

        client.Client.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        await accepted.GetStream().CopyToAsync(received).WaitAsync(TestTimeouts.Step);

        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task Each_direction_is_delayed_by_at_least_the_one_way_delay()
    {
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var proxyPort = FreePort();
        await using var proxy = DelayingProxy.Start(
            new IPEndPoint(IPAddress.Loopback, proxyPort), (IPEndPoint)relay.LocalEndpoint, new LinkImpairment(TimeSpan.FromMilliseconds(100), 0), seed: 1, TimeProvider.System);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxyPort).WaitAsync(TestTimeouts.Step);
        using var accepted = await relay.AcceptTcpClientAsync().WaitAsync(TestTimeouts.Step);

        // An echo on the relay's side: the round trip crosses the proxy twice.
        var echo = Task.Run(async () =>
        {
            var buffer = new byte[1];
            await accepted.GetStream().ReadExactlyAsync(buffer);
            await accepted.GetStream().WriteAsync(buffer);
        });
        var watch = Stopwatch.StartNew();
        await client.GetStream().WriteAsync(new byte[] { 42 });
        var answer = new byte[1];
        await client.GetStream().ReadExactlyAsync(answer).AsTask().WaitAsync(TestTimeouts.Step);
        await echo.WaitAsync(TestTimeouts.Step);

        Assert.Equal(42, answer[0]);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(195), $"round trip {watch.Elapsed}");
    }

    [Fact]
    public async Task A_connection_to_a_relay_that_is_down_is_closed_at_once()
    {
        var downPort = FreePort();
        var proxyPort = FreePort();
        await using var proxy = DelayingProxy.Start(
            new IPEndPoint(IPAddress.Loopback, proxyPort), new IPEndPoint(IPAddress.Loopback, downPort), LinkImpairment.None, seed: 1, TimeProvider.System);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxyPort).WaitAsync(TestTimeouts.Step);

        var read = await client.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Step);

        Assert.Equal(0, read);
    }

    [Fact]
    public void A_lost_segment_comes_a_retransmission_timeout_later()
    {
        var impairment = new LinkImpairment(TimeSpan.FromMilliseconds(50), 0.01);

        Assert.Equal(TimeSpan.FromMilliseconds(300), impairment.RetransmissionDelay);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
