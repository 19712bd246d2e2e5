using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// A TCP server on 127.0.0.1 (a free port) that serves each accepted connection with one handler until the server is
/// disposed; a connection's failure ends that connection only. Disposing stops accepting and waits for the handlers.
/// </summary>
internal abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _connectionsGate = new();
    private Task? _acceptor;

    /// <summary>The port it listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts listening and accepting.</summary>
    public void Start()
    {
        _listener.Start();
        _acceptor = Task.Run(AcceptAsync);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptor is not null)
        {
            await _acceptor.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_connectionsGate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Serves one connection; the socket is closed when it returns.</summary>
    protected abstract Task ServeAsync(Socket socket, CancellationToken cancellationToken);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_connectionsGate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => ServeOneAsync(socket)));
            }
        }
    }

    private async Task ServeOneAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await ServeAsync(socket, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or TorBenchmarkException or ObjectDisposedException)
            {
                // The client went away or the server is stopping: this connection is over, the server goes on.
            }
        }
    }
}
