using System.Net.Sockets;
using System.Text;

namespace HiddenPoint.Client.ApiProbe;

/// <summary>
/// hpc-api-probe SOCKET: connects to a daemon's local API socket, sends one status request and prints one line:
/// <c>connect-failed ERROR</c> (the system refused the connection), <c>closed</c> (the daemon closed it without an
/// answer) or <c>answered</c>.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args is not [var socketPath])
        {
            Console.Error.WriteLine("usage: hpc-api-probe SOCKET");
            return 64;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            Console.WriteLine("connect-failed " + e.SocketErrorCode);
            return 0;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\n"), timeout.Token);
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            Console.WriteLine(read == 0 ? "closed" : "answered");
        }
        catch (SocketException)
        {
            Console.WriteLine("closed");
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("no-answer");
        }

        return 0;
    }
}
