using System.Net;
using System.Net.Sockets;
using HiddenPoint.Network.Links;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>Connections still in their handshake count against the engine's link cap.</summary>
public sealed class HandshakeCapTests
{
    [Fact]
    public async Task Connections_stuck_in_their_handshake_count_against_max_links_and_free_their_place_when_they_go()
    {
        // The handshake timeout is far beyond the test's waits: only the cap can turn the third peer away in time.
        await using var network = await RelayNetwork.StartAsync(1, o =>
        {
            o.MaxLinks = 2;
            o.Link.HandshakeTimeout = TimeSpan.FromMinutes(2);
        });
        var guard = network.StatusOf(0);
        var endpoint = new IPEndPoint(guard.Addresses[0].Address, guard.Addresses[0].Port);

        // Two peers connect and never send a handshake byte: they hold both places.
        var silent = new List<Socket>();
        for (var i = 0; i < 2; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint).WaitAsync(TestTimeouts.Step);
            silent.Add(socket);
        }

        await Eventually.TrueAsync(() => network[0].Admission.Connections == 2, "both silent peers admitted");

        // A third is turned away at once: the relay closes it before any handshake.
        using (var third = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await third.ConnectAsync(endpoint).WaitAsync(TestTimeouts.Step);
            var buffer = new byte[1];
            int read;
            try
            {
                read = await third.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Step);
            }
            catch (SocketException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }

        // The silent peers leave; their places come back and a real client links up.
        foreach (var socket in silent)
        {
            socket.Dispose();
        }

        await using var client = new Originator();
        Link? link = null;
        var deadline = DateTime.UtcNow + TestTimeouts.Step;
        while (link is null)
        {
            try
            {
                link = await client.ConnectAsync(guard);
            }
            catch (Exception ex) when (ex is InvalidOperationException or SocketException or IOException)
            {
                // The relay may not have seen the silent peers go yet.
                Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for a client link once the silent peers had gone");
                await Task.Delay(50);
            }
        }

        await link!.DisposeAsync();
    }
}
