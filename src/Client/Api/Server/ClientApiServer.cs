using System.Net.Sockets;
using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Client.Messaging.Service;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace HiddenPoint.Client.Api.Server;

/// <summary>
/// The local API's listener: the Unix domain socket <c>client.sock</c> in the data directory, born 0600, serving only
/// processes of the daemon's own user (checked per connection with SO_PEERCRED), at most
/// <see cref="ClientApiOptions.MaxConnections"/> at once, each a JSON-RPC connection with its own
/// <see cref="ClientApiSession"/>. A connection that misbehaves (a request over the size limit, malformed JSON, events
/// left unread) is closed; the others go on.
/// </summary>
internal sealed class ClientApiServer : IAsyncDisposable
{
    private const int Backlog = 16;

    private readonly Socket _listener;
    private readonly Messenger _messenger;
    private readonly ClientApiOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly uint _ownUserId = UnixSockets.EffectiveUserId;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _connections = [];
    private readonly HashSet<JsonRpc> _open = [];
    private Task _accepting = Task.CompletedTask;
    private int _served;

    private ClientApiServer(Socket listener, string socketPath, Messenger messenger, ClientApiOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _listener = listener;
        SocketPath = socketPath;
        _messenger = messenger;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The socket file.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Binds the socket in <paramref name="dataDirectory"/> and starts serving. Call only while holding the store's lock:
    /// a socket file already there is then a previous daemon's, and is replaced.
    /// </summary>
    /// <exception cref="IOException">The socket cannot be made (path too long, a folder in its place, bind failed).</exception>
    public static ClientApiServer Start(string dataDirectory, Messenger messenger, ClientApiOptions options, TimeProvider timeProvider, ILogger logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The local API needs Linux (SO_PEERCRED).");
        }

        var path = Path.GetFullPath(Path.Combine(dataDirectory, ApiWire.SocketFileName));
        if (System.Text.Encoding.UTF8.GetByteCount(path) > 107)
        {
            throw new IOException($"The socket path '{path}' is longer than the 107 bytes a Unix socket address holds; use a shorter data directory.");
        }

        if (System.IO.Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a folder; the daemon's socket belongs there. Move it away.");
        }

        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            // A daemon killed without cleaning up left it; the store's lock says no daemon runs now.
            File.Delete(path);
            DaemonLog.StaleSocketReplaced(logger, path);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            UnixSockets.BindOwnerOnly(listener, path);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(Backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"Cannot listen on '{path}': {e.Message}", e);
        }

        var server = new ClientApiServer(listener, path, messenger, options, timeProvider, logger);
        server._accepting = Task.Run(server.AcceptAsync);
        DaemonLog.Listening(logger, path);
        return server;
    }

    /// <summary>Stops accepting, closes every connection (their calls in flight are cancelled) and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] connections;
        lock (_gate)
        {
            foreach (var rpc in _open)
            {
                rpc.Dispose();
            }

            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
            // Left for the next daemon, which replaces it.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                // Out of descriptors or memory for a moment: the accept is tried again after a pause.
                DaemonLog.AcceptFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (!Admit(connection))
            {
                connection.Dispose();
                continue;
            }

            var serving = ServeAsync(connection);
            lock (_gate)
            {
                _connections.Add(serving);
            }

            _ = serving.ContinueWith(
                done =>
                {
                    lock (_gate)
                    {
                        _connections.Remove(done);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    // Only the daemon's own user, and only as many connections as allowed.
    private bool Admit(Socket connection)
    {
        if (!UnixSockets.TryGetPeer(connection, out _, out var userId))
        {
            DaemonLog.PeerUnknown(_logger);
            return false;
        }

        if (userId != _ownUserId)
        {
            DaemonLog.PeerRefused(_logger, userId, _ownUserId);
            return false;
        }

        if (Interlocked.Increment(ref _served) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _served);
            DaemonLog.TooManyConnections(_logger, _options.MaxConnections);
            return false;
        }

        return true;
    }

    private async Task ServeAsync(Socket connection)
    {
        var stream = new NetworkStream(connection, ownsSocket: true);
        var input = new LineLengthLimitStream(stream, _options.MaxRequestBytes);
        var session = new ClientApiSession(_messenger, _options, _timeProvider, _logger);
        var rpc = new JsonRpc(ApiWire.Handler(stream, input));
        try
        {
            rpc.AddLocalRpcTarget<IClientApi>(session, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
            session.Attach(rpc);
            lock (_gate)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                _open.Add(rpc);
            }

            rpc.StartListening();
            await rpc.Completion.ConfigureAwait(false);
            DaemonLog.ConnectionEnded(_logger, null);
        }
#pragma warning disable CA1031 // Whatever ended this connection, it ends only this one.
        catch (Exception e)
#pragma warning restore CA1031
        {
            DaemonLog.ConnectionEnded(_logger, e);
        }
        finally
        {
            if (input.Exceeded)
            {
                DaemonLog.RequestTooLarge(_logger, _options.MaxRequestBytes);
            }

            lock (_gate)
            {
                _open.Remove(rpc);
            }

            rpc.Dispose();
            await session.DisposeAsync().ConfigureAwait(false);
            await input.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _served);
        }
    }
}
