using System.Net;
using System.Net.Sockets;
using HiddenPoint.Network.Links;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The engine's listener: accepts sockets, admits each one (the link cap, then the per-address admission), runs the
/// Noise handshake as responder with the current link key (or the previous one during a rotation's overlap), and hands
/// the link to the engine's bookkeeping. A listed relay's link is registered with the link manager for reuse.
/// </summary>
internal sealed class ConnectionListener(
    IRelayKeys keys,
    IAddressAdmission admission,
    LinkRuntime runtime,
    EngineLinks links,
    ListedRelays listed,
    LinkManager relayLinks,
    CircuitAcceptor acceptor,
    RelayEngineMetrics metrics,
    TimeProvider time,
    ILogger logger,
    CancellationToken stopping)
{
    private static readonly TimeSpan s_acceptPause = TimeSpan.FromMilliseconds(100);

    private Socket? _socket;
    private volatile bool _listening;

    /// <summary>Where the listener is bound once started.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The accept loop; completes once the listener is closed or the engine stops.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public bool IsListening => _listening;

    /// <summary>Binds <paramref name="listen"/> and starts accepting.</summary>
    public void Start(IPEndPoint listen)
    {
        if (_socket is not null)
        {
            throw new InvalidOperationException("The engine is started already.");
        }

        var socket = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(listen);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _listening = true;
        Completion = AcceptLoopAsync(socket);
    }

    /// <summary>Closes the listening socket; links already open carry on.</summary>
    public void Stop()
    {
        _listening = false;
        Interlocked.Exchange(ref _socket, null)?.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (!_listening)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // A connection reset before it was accepted: nothing to do for it.
                continue;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors or buffers: retrying at once would spin a core. Pause, and let links close.
                RelayEngineLog.AcceptStalled(logger, ex.SocketErrorCode);
                try
                {
                    await Task.Delay(s_acceptPause, time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _ = AcceptOneAsync(socket);
        }
    }

    private async Task AcceptOneAsync(Socket socket)
    {
        if (!links.TryBeginHandshake())
        {
            Refuse(socket, ConnectionRefusal.MaxLinks);
            return;
        }

        IDisposable? lease = null;
        try
        {
            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            var refusal = admission.TryAdmitConnection(remote, out lease);
            if (refusal != AdmissionRefusal.None)
            {
                lease?.Dispose();
                lease = null;
                Refuse(socket, ConnectionRefusals.From(refusal));
                return;
            }

            socket.NoDelay = true;
            var handler = new EngineLink(acceptor, remote);

            // During a link-key rotation's overlap, initiators that still hold the previous key are answered with it.
            var current = keys.Current;
            var result = await runtime.AcceptAsync(
                LinkTransport.FromSocket(socket), current.LinkKey, current.PreviousLinkKey, AcceptedLinkKinds.All, handler, stopping).ConfigureAwait(false);
            if (result.Link is not { } link)
            {
                return;
            }

            var kind = link.Kind == LinkKind.RelayToRelay ? EngineLinkKind.RelayIn : EngineLinkKind.Client;
            links.Track(link, kind, lease);
            lease = null;
            if (kind == EngineLinkKind.RelayIn && listed.TryGetListedPeer(link, out var peer))
            {
                // A listed relay's link is kept for reuse when this relay extends to it.
                relayLinks.Register(peer.Id, link);
            }
        }
#pragma warning disable CA1031 // One connection's fault closes that connection only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(logger, ex);
            socket.Dispose();
        }
        finally
        {
            links.EndHandshake();
            lease?.Dispose();
        }
    }

    private void Refuse(Socket socket, ConnectionRefusal reason)
    {
        metrics.ConnectionRefused(reason);
        RelayEngineLog.ConnectionRefused(logger, reason);
        socket.Dispose();
    }
}
