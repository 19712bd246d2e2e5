using System.Net;

namespace HiddenPoint.Network.Links;

/// <summary>
/// How <see cref="LinkManager"/> reaches an endpoint: the one place a launch touches the operating system's sockets.
/// The default is <see cref="TcpLinkDialer"/>; tests dial in-memory pipes.
/// </summary>
public interface ILinkDialer
{
    /// <summary>
    /// Connects to <paramref name="endpoint"/> and returns the transport, which the caller owns from then on. Throws
    /// <see cref="System.Net.Sockets.SocketException"/> or <see cref="IOException"/> when the endpoint cannot be reached,
    /// and <see cref="OperationCanceledException"/> promptly once <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    ValueTask<LinkTransport> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}
