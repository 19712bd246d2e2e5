using HiddenPoint.Client.Api.Connecting;
using HiddenPoint.Client.Api.Contract;
using StreamJsonRpc;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// The chaos runner's connection to one user's daemon (its local API, docs/client-api.md). A scenario that kills or
/// stops the daemon calls <see cref="Drop"/>; after the restart <see cref="ConnectAsync"/> waits for the new daemon.
/// Calls made while no daemon answers throw <see cref="DaemonDownException"/>.
/// </summary>
internal sealed class UserApi : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly TimeProvider _clock;
    private ClientApiConnection? _connection;

    public UserApi(NodeRecord user, string dataDirectory, TimeProvider clock)
    {
        User = user;
        _dataDirectory = dataDirectory;
        _clock = clock;
    }

    public NodeRecord User { get; }

    /// <summary>The user's data directory, where its daemon's socket is.</summary>
    public string DataDirectory => _dataDirectory;

    public bool IsUp => _connection is { Completion.IsCompleted: false };

    /// <summary>
    /// Connects to the daemon whose process id is <paramref name="processId"/> (a socket file left by a killed one is
    /// skipped: its daemon answers no status), waiting up to <paramref name="limit"/>.
    /// </summary>
    public async Task ConnectAsync(int processId, TimeSpan limit, CancellationToken cancel)
    {
        await DropAsync().ConfigureAwait(false);
        var deadline = _clock.GetUtcNow() + limit;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            ClientApiConnection? connection = null;
            try
            {
                connection = await ClientApiConnection.ConnectAsync(_dataDirectory, cancel).ConfigureAwait(false);
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                bound.CancelAfter(TimeSpan.FromSeconds(10));
                var status = await connection.Api.StatusAsync(bound.Token).ConfigureAwait(false);
                if (status.ProcessId == processId)
                {
                    _connection = connection;
                    return;
                }
            }
            catch (Exception e) when (IsDaemonGone(e) && !cancel.IsCancellationRequested)
            {
                // Not up yet.
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (_clock.GetUtcNow() > deadline)
            {
                throw new TestnetException($"{User.Name}'s daemon (pid {processId}) did not answer on its local API within {limit.TotalSeconds:0} s; see {User.LogFile}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the connection (the daemon is being stopped or killed).</summary>
    public async Task DropAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task<ApiSentMessage> SendAsync(string contact, string text, CancellationToken cancel) => Call(api => api.SendAsync(contact, text, cancel));

    public Task<ApiStatus> StatusAsync(CancellationToken cancel) => Call(api => api.StatusAsync(cancel));

    /// <summary>The whole conversation with <paramref name="contact"/>, oldest first, read page by page.</summary>
    public async Task<List<ApiHistoryEntry>> WholeHistoryAsync(string contact, CancellationToken cancel)
    {
        var pages = new List<IReadOnlyList<ApiHistoryEntry>>();
        long? before = null;
        do
        {
            var page = await Call(api => api.HistoryAsync(contact, 1000, before, cancel)).ConfigureAwait(false);
            pages.Add(page.Entries);
            before = page.Older;
        }
        while (before is not null);

        pages.Reverse();
        return [.. pages.SelectMany(p => p)];
    }

    public ValueTask DisposeAsync() => new(DropAsync());

    private async Task<T> Call<T>(Func<IClientApi, Task<T>> call)
    {
        var connection = _connection ?? throw new DaemonDownException(User.Name);
        try
        {
            return await call(connection.Api).ConfigureAwait(false);
        }
        catch (Exception e) when (IsDaemonGone(e))
        {
            throw new DaemonDownException(User.Name, e);
        }
    }

    private static bool IsDaemonGone(Exception e) => e is DaemonNotRunningException or ConnectionLostException or ObjectDisposedException or IOException
        or RemoteInvocationException { ErrorCode: (int)ApiErrorCode.ShuttingDown };
}

/// <summary>A call to a user's daemon while it is down, stopping, or went away during the call.</summary>
internal sealed class DaemonDownException(string user, Exception? inner = null)
    : Exception($"{user}'s daemon is not answering", inner);
