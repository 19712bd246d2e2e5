using System.Buffers.Binary;
using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// The onion service's port 9: reads an 8-byte big-endian length L, then L bytes (dropped), then writes one byte
/// <see cref="Acknowledgement"/> and closes, so that the sender's clock stops when the last byte has arrived.
/// </summary>
internal sealed class BulkSink : LoopbackServer
{
    /// <summary>The byte that acknowledges the whole transfer.</summary>
    public const byte Acknowledgement = 0x06;

    /// <summary>The length prefix's size.</summary>
    public const int LengthSize = 8;

    private long _receivedBytes;

    /// <summary>The payload bytes received so far over all connections (for progress reports while a transfer runs).</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    protected override async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var header = new byte[LengthSize];
        await SocketReads.ReadExactlyAsync(socket, header, cancellationToken).ConfigureAwait(false);
        var remaining = BinaryPrimitives.ReadInt64BigEndian(header);
        if (remaining < 0)
        {
            return;
        }

        var buffer = new byte[64 * 1024];
        while (remaining > 0)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            remaining -= n;
            Interlocked.Add(ref _receivedBytes, n);
        }

        await socket.SendAsync(new[] { Acknowledgement }, cancellationToken).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Send);
    }
}
