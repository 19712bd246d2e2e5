using System.Security.Cryptography;
using System.Threading.Channels;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.IntegrationTests.Circuits;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.IntegrationTests.Client;

/// <summary>
/// A client and a host joined at a rendezvous point: the client's circuit through relays 0, 1 and 2, the host's through
/// 3, 4 and 2, relay 2 running its real rendezvous role. hs_ntor runs as it does between a client and a host, with the
/// introduction handed over in process instead of through an introduction point.
/// </summary>
internal sealed class JoinedPair : IAsyncDisposable
{
    private JoinedPair(ClientCircuit client, ClientCircuit host, HopIndex clientEndToEnd, HopIndex hostEndToEnd, ChannelReader<IncomingStream> incoming)
    {
        Client = client;
        Host = host;
        ClientEndToEnd = clientEndToEnd;
        HostEndToEnd = hostEndToEnd;
        Incoming = incoming;
    }

    public ClientCircuit Client { get; }

    public ClientCircuit Host { get; }

    public HopIndex ClientEndToEnd { get; }

    public HopIndex HostEndToEnd { get; }

    public ChannelReader<IncomingStream> Incoming { get; }

    public static async Task<JoinedPair> ConnectAsync(TestNetwork network, ClientSide side, int[]? clientPath = null, int[]? hostPath = null)
    {
        var client = await side.BuildAsync(network, clientPath ?? [0, 1, 2]);
        var host = await side.BuildAsync(network, hostPath ?? [3, 4, 2]);
        var rendezvousPoint = client.LastHop;
        var hostRendezvousPoint = host.LastHop;

        var cookie = RandomNumberGenerator.GetBytes(HiddenPointWire.RendezvousCookieLength);
        var established = await client.RequestAsync(
            rendezvousPoint, new EstablishRendezvousMessage(cookie), RelayCommandSet.Of(RelayCommand.RendezvousEstablished)).WaitAsync(TestNetwork.Timeout);
        Assert.Equal(RelayCommand.RendezvousEstablished, established.Command);

        // The host's keys for one introduction point, and the client's introduction to it.
        using var introKey = HsIntroEncryptionKey.Generate();
        using var authSigningKey = HsIntroAuthSigningKey.Generate();
        var authKey = new HsIntroAuthKey(authSigningKey.PublicKey);
        var subcredential = new Subcredential(RandomNumberGenerator.GetBytes(Subcredential.Length));
        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Hpc, authKey, introKey.Public, subcredential, out var clientHandshake, out _));
        using var ownedHandshake = clientHandshake;
        var header = RandomNumberGenerator.GetBytes(40);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintext.Length)];
        clientHandshake.SealIntroduce(header, plaintext, section);

        // The client waits for RENDEZVOUS2 before the host can answer.
        var joined = client.AwaitRendezvousAsync(reply =>
        {
            var reader = new WireReader(reply);
            if (!Rendezvous2Message.TryDecode(ref reader, out var rendezvous2, out _))
            {
                return null;
            }

            var info = new byte[HsNtorClient.HandshakeInfoLength];
            rendezvous2.ServerPublicKey.CopyTo(info);
            rendezvous2.Auth.CopyTo(info.AsSpan(32));
            if (!clientHandshake.TryFinish(info, out var keyStream, out _))
            {
                return null;
            }

            using (keyStream)
            {
                return CircuitKeySchedule.ReadClientHop(keyStream);
            }
        });

        var service = new HsNtorService(HsNtorLabels.Hpc, introKey, authKey, subcredential);
        Assert.True(service.TryOpenIntroduce(header, section, out var introduction, out _));
        using (introduction)
        {
            var handshakeInfo = new byte[HsNtorIntroduction.HandshakeInfoLength];
            using var keyStream = introduction.Respond(handshakeInfo);
            var hostEndToEnd = host.AttachEndToEndHop(CircuitKeySchedule.ReadRelayHop(keyStream));
            var incoming = host.AcceptStreams(hostEndToEnd);
            await host.SendAsync(hostRendezvousPoint, new Rendezvous1Message(cookie, handshakeInfo.AsSpan(0, 32), handshakeInfo.AsSpan(32)));
            var clientEndToEnd = await joined.WaitAsync(TestNetwork.Timeout);
            Assert.Equal(new HopIndex(3), clientEndToEnd);
            Assert.Equal(new HopIndex(3), hostEndToEnd);
            return new JoinedPair(client, host, clientEndToEnd, hostEndToEnd, incoming);
        }
    }

    /// <summary>Opens a stream from the client to <paramref name="port"/> and accepts it at the host.</summary>
    public async Task<(CircuitStream Client, CircuitStream Host)> OpenAsync(ushort port)
    {
        var opening = Client.OpenStreamAsync(ClientEndToEnd, port);
        var incoming = await Incoming.ReadAsync().AsTask().WaitAsync(TestNetwork.Timeout);
        Assert.Equal(port, incoming.VirtualPort);
        var atHost = await incoming.AcceptAsync().WaitAsync(TestNetwork.Timeout);
        var atClient = await opening.WaitAsync(TestNetwork.Timeout);
        Assert.Equal(atClient.Id, atHost.Id);
        return (atClient, atHost);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Host.DisposeAsync();
    }
}
