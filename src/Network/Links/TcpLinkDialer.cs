using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Network.Links;

/// <summary>Dials a TCP connection with Nagle's algorithm off (cells are written in whole flushes already).</summary>
public sealed class TcpLinkDialer : ILinkDialer
{
    private TcpLinkDialer()
    {
    }

    /// <summary>The one instance (it holds no state).</summary>
    public static TcpLinkDialer Instance { get; } = new();

    /// <inheritdoc/>
    public async ValueTask<LinkTransport> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return LinkTransport.FromSocket(socket);
    }
}
