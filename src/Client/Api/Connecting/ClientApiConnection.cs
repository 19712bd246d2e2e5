using System.Net.Sockets;
using System.Threading.Channels;
using HiddenPoint.Client.Api.Contract;
using StreamJsonRpc;

namespace HiddenPoint.Client.Api.Connecting;

/// <summary>
/// A connection to the daemon's local API (the commands' and the tests' side): <see cref="Api"/> calls the daemon;
/// after <see cref="IClientApi.SubscribeAsync"/>, <see cref="Events"/> yields each event it sends. Dispose to close.
/// </summary>
public sealed class ClientApiConnection : IAsyncDisposable
{
    private readonly JsonRpc _rpc;
    private readonly EventSink _events;

    private ClientApiConnection(JsonRpc rpc, EventSink events, IClientApi api)
    {
        _rpc = rpc;
        _events = events;
        Api = api;
    }

    /// <summary>The daemon's methods.</summary>
    public IClientApi Api { get; }

    /// <summary>The events the daemon sent since the subscription, in order; completes when the connection ends.</summary>
    public ChannelReader<ApiEvent> Events => _events.Reader;

    /// <summary>Completes when the connection ends (the daemon stopped, or dropped this client).</summary>
    public Task Completion => _rpc.Completion;

    /// <summary>Connects to the daemon of <paramref name="dataDirectory"/> (its socket <c>client.sock</c>).</summary>
    /// <exception cref="DaemonNotRunningException">No daemon listens there.</exception>
    public static Task<ClientApiConnection> ConnectAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return ConnectToSocketAsync(Path.GetFullPath(Path.Combine(dataDirectory, ApiWire.SocketFileName)), cancellationToken);
    }

    /// <summary>Connects to the daemon listening on <paramref name="socketPath"/>.</summary>
    /// <exception cref="DaemonNotRunningException">No daemon listens there.</exception>
    public static async Task<ClientApiConnection> ConnectToSocketAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when !File.Exists(socketPath) =>
                    new DaemonNotRunningException(socketPath, DaemonUnreachableReason.SocketMissing, e),
                SocketError.AccessDenied => new DaemonNotRunningException(socketPath, DaemonUnreachableReason.AccessDenied, e),
                _ when !File.Exists(socketPath) => new DaemonNotRunningException(socketPath, DaemonUnreachableReason.SocketMissing, e),
                _ => new DaemonNotRunningException(socketPath, DaemonUnreachableReason.Refused, e),
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        var rpc = new JsonRpc(ApiWire.Handler(stream, stream));
        var events = new EventSink();
        rpc.AddLocalRpcTarget(events, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        var api = rpc.Attach<IClientApi>();
        rpc.StartListening();
        _ = rpc.Completion.ContinueWith(_ => events.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new ClientApiConnection(rpc, events, api);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await _rpc.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _events.Complete();
    }

    /// <summary>The target of the daemon's notifications: each event into the reader's channel, which the client empties.</summary>
    private sealed class EventSink
    {
        // Unbounded on this side: the daemon bounds what it sends a reader that falls behind, and this process reads
        // its own channel.
        private readonly Channel<ApiEvent> _channel = Channel.CreateUnbounded<ApiEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public ChannelReader<ApiEvent> Reader => _channel.Reader;

        [JsonRpcMethod(IClientApi.EventNotification)]
        public void OnEvent(ApiEvent apiEvent) => _channel.Writer.TryWrite(apiEvent);

        public void Complete() => _channel.Writer.TryComplete();
    }
}
