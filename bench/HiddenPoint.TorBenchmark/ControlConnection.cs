using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace HiddenPoint.TorBenchmark;

/// <summary>An event from a control port with the moment it arrived (a <see cref="Stopwatch"/> timestamp).</summary>
internal readonly record struct ControlEvent(long ArrivedAt, string Text);

/// <summary>
/// A connection to one tor's ControlPort (control-spec), authenticated with the null method (the test network's control
/// ports listen on loopback only and ask for no authentication). One read loop owns the socket's input: it timestamps
/// every asynchronous event (status 650) as it arrives, so a wait measures tor, not this program's scheduling, and hands
/// each other reply to the one command waiting for it. Commands are sent one at a time.
/// </summary>
internal sealed class ControlConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Channel<ControlReply> _replies = Channel.CreateUnbounded<ControlReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<ControlEvent> _events = Channel.CreateUnbounded<ControlEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _oneCommand = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private ControlConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>How long one command may wait for its reply.</summary>
    public static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connects to the control port on 127.0.0.1:<paramref name="port"/>, retrying while tor is still starting (up to
    /// <paramref name="bound"/>), and authenticates.
    /// </summary>
    public static async Task<ControlConnection> ConnectAsync(int port, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(TorNode.Address, port, cancellationToken).ConfigureAwait(false);
                var connection = new ControlConnection(client);
                try
                {
                    await connection.CommandAsync("AUTHENTICATE", cancellationToken).ConfigureAwait(false);
                    return connection;
                }
                catch
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                client.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                client.Dispose();
                throw new TorBenchmarkException($"No control port on {TorNode.Address}:{port} after {bound.TotalSeconds:0} s.", e);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    /// <summary>Sends <paramref name="command"/> and returns its reply.</summary>
    /// <exception cref="TorBenchmarkException">The reply's status is not 250, or none came within <see cref="CommandBound"/>.</exception>
    public async Task<ControlReply> CommandAsync(string command, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(command, cancellationToken).ConfigureAwait(false);
        return reply.IsOk ? reply : throw new TorBenchmarkException($"tor refused \"{command}\": {reply}");
    }

    /// <summary>Sends <paramref name="command"/> and returns its reply, whatever its status.</summary>
    public async Task<ControlReply> SendAsync(string command, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        await _oneCommand.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken).ConfigureAwait(false);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(CommandBound);
            try
            {
                return await _replies.Reader.ReadAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TorBenchmarkException($"tor did not answer \"{command}\" within {CommandBound.TotalSeconds:0} s.");
            }
            catch (ChannelClosedException e)
            {
                throw new TorBenchmarkException($"The control connection closed before tor answered \"{command}\".", e);
            }
        }
        finally
        {
            _oneCommand.Release();
        }
    }

    /// <summary>
    /// Waits for the first event (one subscribed with SETEVENTS) that <paramref name="matches"/>, dropping the others,
    /// for at most <paramref name="bound"/>; events that arrived before the call count.
    /// </summary>
    /// <exception cref="TorBenchmarkException">No such event within <paramref name="bound"/>.</exception>
    public async Task<ControlEvent> WaitForEventAsync(Func<string, bool> matches, TimeSpan bound, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matches);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(bound);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (matches(next.Text))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TorBenchmarkException($"No {what} within {bound.TotalSeconds:0.#} s.");
        }
        catch (ChannelClosedException e)
        {
            throw new TorBenchmarkException($"The control connection closed while waiting for {what}.", e);
        }
    }

    /// <summary>Drops the events received so far (before a measurement that must see only later ones).</summary>
    public void DropPendingEvents()
    {
        while (_events.Reader.TryRead(out _))
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _client.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _oneCommand.Dispose();
    }

    private async Task ReadAsync()
    {
        var assembler = new ControlReplyAssembler();
        try
        {
            using var reader = new StreamReader(_stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                var arrivedAt = Stopwatch.GetTimestamp();
                if (assembler.Add(line) is not { } reply)
                {
                    continue;
                }

                if (reply.IsEvent)
                {
                    _events.Writer.TryWrite(new ControlEvent(arrivedAt, string.Join("\n", reply.Lines)));
                }
                else
                {
                    _replies.Writer.TryWrite(reply);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or TorBenchmarkException)
        {
            // The connection is over (tor exited, or this side closed it): waiting commands and events see the channels close.
        }
        finally
        {
            _replies.Writer.TryComplete();
            _events.Writer.TryComplete();
        }
    }
}
