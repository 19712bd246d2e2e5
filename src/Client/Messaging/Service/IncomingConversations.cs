using System.Collections.Concurrent;
using System.Threading.Channels;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Protocol;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// Hands the hosted hidden point's incoming connections to the engine: each connection's first stream to the
/// conversation port becomes a <see cref="ConversationTransport"/> with the connection's channel binding. A
/// connection that opens no such stream within the Hello timeout, or opens one to another port, is closed.
/// </summary>
internal sealed class IncomingConversations
{
    private readonly HostedHiddenPoint _host;
    private readonly MessagingEngine _engine;
    private readonly TimeSpan _streamTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    public IncomingConversations(HostedHiddenPoint host, MessagingEngine engine, TimeSpan streamTimeout, TimeProvider timeProvider, ILogger logger)
    {
        _host = host;
        _engine = engine;
        _streamTimeout = streamTimeout;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Takes connections until <paramref name="stopping"/> is cancelled, then waits for those being handed over.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var connection in _host.Connections.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                var task = TakeAsync(connection, stopping);
                _inFlight.TryAdd(task, 0);
                _ = task.ContinueWith(
                    static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
                    _inFlight,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        await Task.WhenAll(_inFlight.Keys).ConfigureAwait(false);
    }

    private async Task TakeAsync(IncomingHiddenPointConnection connection, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(_streamTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        Network.Streams.CircuitStream stream;
        try
        {
            var incoming = await connection.IncomingStreams.ReadAsync(linked.Token).ConfigureAwait(false);
            if (incoming.VirtualPort != ConversationLimits.VirtualPort)
            {
                MessengerLog.IncomingWrongPort(_logger, incoming.VirtualPort);
                incoming.Reject();
                await connection.DisposeAsync().ConfigureAwait(false);
                return;
            }

            stream = await incoming.AcceptAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or Network.Circuits.CircuitException)
        {
            MessengerLog.IncomingWithoutStream(_logger, _streamTimeout);
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var transport = new ConversationTransport(stream, connection.ChannelBinding, new ConnectionLease(stream, connection));
        var outcome = await _engine.AcceptAsync(transport, stopping).ConfigureAwait(false);
        MessengerLog.IncomingConnection(_logger, outcome);
    }
}
