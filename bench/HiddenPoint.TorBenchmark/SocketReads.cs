using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>Reading a known number of bytes from a stream socket.</summary>
internal static class SocketReads
{
    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes.</summary>
    /// <exception cref="TorBenchmarkException">The peer closed first.</exception>
    public static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new TorBenchmarkException($"The connection closed after {read} of {buffer.Length} bytes.");
            }

            read += n;
        }
    }
}
