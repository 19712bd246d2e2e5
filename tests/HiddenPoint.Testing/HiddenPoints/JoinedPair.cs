using System.Security.Cryptography;
using System.Threading.Channels;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Testing;

/// <summary>
/// A client and a host joined at a rendezvous point, each over its own circuit whose last hop is the rendezvous point
/// (a relay running the real rendezvous role). hs_ntor runs as between a client and a host; the introduction itself is
/// handed over in process instead of through an introduction point, since what is joined here is the circuits.
/// </summary>
public sealed class JoinedPair : IAsyncDisposable
{
    private JoinedPair(ClientCircuit client, ClientCircuit host, HopIndex clientEndToEnd, HopIndex hostEndToEnd, ChannelReader<IncomingStream> incoming)
    {
        Client = client;
        Host = host;
        ClientEndToEnd = clientEndToEnd;
        HostEndToEnd = hostEndToEnd;
        Incoming = incoming;
    }

    /// <summary>The client's circuit.</summary>
    public ClientCircuit Client { get; }

    /// <summary>The host's circuit.</summary>
    public ClientCircuit Host { get; }

    /// <summary>The end-to-end hop on the client's circuit.</summary>
    public HopIndex ClientEndToEnd { get; }

    /// <summary>The end-to-end hop on the host's circuit.</summary>
    public HopIndex HostEndToEnd { get; }

    /// <summary>The client's BEGINs, as the host sees them.</summary>
    public ChannelReader<IncomingStream> Incoming { get; }

    /// <summary>
    /// Builds both circuits (the last relay of both paths is the rendezvous point) and joins them: ESTABLISH_RENDEZVOUS,
    /// hs_ntor, RENDEZVOUS1 from the host, RENDEZVOUS2 to the client, and the end-to-end hop at both ends.
    /// </summary>
    public static async Task<JoinedPair> ConnectAsync(
        Originator client, Originator host, IReadOnlyList<RelayStatus> clientPath, IReadOnlyList<RelayStatus> hostPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(host);
        var clientCircuit = await client.BuildAsync(clientPath, cancellationToken).ConfigureAwait(false);
        var hostCircuit = await host.BuildAsync(hostPath, cancellationToken).ConfigureAwait(false);
        var clientRendezvousPoint = clientCircuit.LastHop;
        var hostRendezvousPoint = hostCircuit.LastHop;

        var cookie = RandomNumberGenerator.GetBytes(HiddenPointWire.RendezvousCookieLength);
        await clientCircuit.RequestAsync(
            clientRendezvousPoint, new EstablishRendezvousMessage(cookie), RelayCommandSet.Of(RelayCommand.RendezvousEstablished), cancellationToken).ConfigureAwait(false);

        // The host's keys for one introduction point, and the client's introduction to it.
        using var introKey = HsIntroEncryptionKey.Generate();
        using var authSigningKey = HsIntroAuthSigningKey.Generate();
        var authKey = new HsIntroAuthKey(authSigningKey.PublicKey);
        var subcredential = new Subcredential(RandomNumberGenerator.GetBytes(Subcredential.Length));
        if (!HsNtorClient.TryStart(HsNtorLabels.Hpc, authKey, introKey.Public, subcredential, out var handshake, out var error))
        {
            throw new InvalidOperationException($"hs_ntor did not start: {error}.");
        }

        using var ownedHandshake = handshake;
        var header = RandomNumberGenerator.GetBytes(40);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintext.Length)];
        handshake.SealIntroduce(header, plaintext, section);

        // The client waits for RENDEZVOUS2 before the host can answer.
        var joined = clientCircuit.AwaitRendezvousAsync(reply => FinishAtClient(handshake, reply), cancellationToken);

        var service = new HsNtorService(HsNtorLabels.Hpc, introKey, authKey, subcredential);
        if (!service.TryOpenIntroduce(header, section, out var introduction, out error))
        {
            throw new InvalidOperationException($"The introduction did not open: {error}.");
        }

        using (introduction)
        {
            var handshakeInfo = new byte[HsNtorIntroduction.HandshakeInfoLength];
            using var keyStream = introduction.Respond(handshakeInfo);
            var hostEndToEnd = hostCircuit.AttachEndToEndHop(CircuitKeySchedule.ReadRelayHop(keyStream));
            var incoming = hostCircuit.AcceptStreams(hostEndToEnd);
            await hostCircuit.SendAsync(hostRendezvousPoint, new Rendezvous1Message(cookie, handshakeInfo.AsSpan(0, 32), handshakeInfo.AsSpan(32)), default, cancellationToken)
                .ConfigureAwait(false);
            var clientEndToEnd = await joined.ConfigureAwait(false);
            return new JoinedPair(clientCircuit, hostCircuit, clientEndToEnd, hostEndToEnd, incoming);
        }
    }

    /// <summary>Opens a stream from the client to <paramref name="port"/> and accepts it at the host.</summary>
    public async Task<(CircuitStream Client, CircuitStream Host)> OpenAsync(ushort port, CancellationToken cancellationToken = default)
    {
        var opening = Client.OpenStreamAsync(ClientEndToEnd, port, cancellationToken);
        var incoming = await Incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (incoming.VirtualPort != port)
        {
            throw new InvalidOperationException($"The host was asked for port {incoming.VirtualPort}, not {port}.");
        }

        var atHost = await incoming.AcceptAsync(cancellationToken).ConfigureAwait(false);
        var atClient = await opening.ConfigureAwait(false);
        return (atClient, atHost);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
    }

    private static Crypto.Cgo.CgoClientHop? FinishAtClient(HsNtorClient handshake, ReadOnlySpan<byte> reply)
    {
        var reader = new WireReader(reply);
        if (!Rendezvous2Message.TryDecode(ref reader, out var rendezvous2, out _))
        {
            return null;
        }

        Span<byte> info = stackalloc byte[HsNtorClient.HandshakeInfoLength];
        rendezvous2.ServerPublicKey.CopyTo(info);
        rendezvous2.Auth.CopyTo(info[32..]);
        if (!handshake.TryFinish(info, out var keyStream, out _))
        {
            return null;
        }

        using (keyStream)
        {
            return CircuitKeySchedule.ReadClientHop(keyStream);
        }
    }
}
