using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace HiddenPoint.TorBenchmark;

/// <summary>The client side of a SOCKS5 CONNECT by host name, no authentication (RFC 1928), as tor's SocksPort serves it.</summary>
internal static class Socks5
{
    /// <summary>The greeting: version 5, one method, "no authentication".</summary>
    public static ReadOnlySpan<byte> Greeting => [5, 1, 0];

    /// <summary>The CONNECT request for <paramref name="host"/>:<paramref name="port"/> (address type 3, a domain name).</summary>
    public static byte[] ConnectRequest(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        var name = Encoding.ASCII.GetBytes(host);
        if (name.Length > byte.MaxValue)
        {
            throw new ArgumentException("A SOCKS5 host name has at most 255 bytes.", nameof(host));
        }

        var request = new byte[7 + name.Length];
        request[0] = 5;
        request[1] = 1;
        request[2] = 0;
        request[3] = 3;
        request[4] = (byte)name.Length;
        name.CopyTo(request, 5);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(5 + name.Length), (ushort)port);
        return request;
    }

    /// <summary>
    /// Connects through the SOCKS5 proxy on 127.0.0.1:<paramref name="socksPort"/> to <paramref name="host"/>:<paramref name="port"/>;
    /// returns the connected socket once the proxy reports success (for tor: the stream to the onion service is open).
    /// </summary>
    /// <exception cref="TorBenchmarkException">The proxy refused, with the reply code.</exception>
    public static async Task<Socket> ConnectAsync(int socksPort, string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(TorNode.Address, socksPort, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Greeting.ToArray(), cancellationToken).ConfigureAwait(false);
            var choice = new byte[2];
            await SocketReads.ReadExactlyAsync(socket, choice, cancellationToken).ConfigureAwait(false);
            if (choice[0] != 5 || choice[1] != 0)
            {
                throw new TorBenchmarkException($"The SOCKS proxy chose method {choice[1]} (version {choice[0]}).");
            }

            await socket.SendAsync(ConnectRequest(host, port), cancellationToken).ConfigureAwait(false);

            // The reply: version, code, reserved, address type, then an address whose length depends on its type, and a port.
            var head = new byte[5];
            await SocketReads.ReadExactlyAsync(socket, head, cancellationToken).ConfigureAwait(false);
            if (head[1] != 0)
            {
                throw new TorBenchmarkException($"The SOCKS proxy refused the connection to port {port}: reply code {head[1]}.");
            }

            var rest = head[3] switch
            {
                1 => 4 - 1 + 2,
                4 => 16 - 1 + 2,
                3 => head[4] + 2,
                _ => throw new TorBenchmarkException($"The SOCKS reply has address type {head[3]}."),
            };
            await SocketReads.ReadExactlyAsync(socket, new byte[rest], cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
