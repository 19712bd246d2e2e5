using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>The onion service's port 7: sends back every byte it receives, as soon as it receives it.</summary>
internal sealed class EchoServer : LoopbackServer
{
    protected override async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            var sent = 0;
            while (sent < n)
            {
                sent += await socket.SendAsync(buffer.AsMemory(sent, n - sent), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
