using System.Reflection;
using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace HiddenPoint.Client.Api.Server;

/// <summary>
/// One API connection's side of the daemon: the <see cref="IClientApi"/> methods on the messenger, with their
/// arguments checked and their failures turned into <see cref="ApiErrorCode"/> errors, and the event subscription that
/// forwards the messenger's events as notifications.
/// </summary>
internal sealed class ClientApiSession : IClientApi, IAsyncDisposable
{
    private static readonly string Version = typeof(ClientApiSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ClientApiSession).Assembly.GetName().Version?.ToString() ?? "0";

    private readonly Messenger _messenger;
    private readonly ClientApiOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private JsonRpc? _rpc;
    private EventSubscription? _subscription;
    private Task _forwarding = Task.CompletedTask;
    private int _pending;

    public ClientApiSession(Messenger messenger, ClientApiOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _messenger = messenger;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Joins the session to its connection (notifications go out on it).</summary>
    public void Attach(JsonRpc rpc) => _rpc = rpc;

    public Task<ApiSentMessage> SendAsync(string contact, string text, CancellationToken cancellationToken = default) => Run(async token =>
    {
        var to = ParseContact(contact, nameof(contact));
        if (string.IsNullOrEmpty(text))
        {
            throw Error(ApiErrorCode.InvalidArgument, "The text is empty.");
        }

        return ApiMapping.ToApi(await _messenger.SendAsync(to, text, token).ConfigureAwait(false));
    }, cancellationToken);

    public Task<ApiHistoryPage> HistoryAsync(string contact, int count, long? before = null, CancellationToken cancellationToken = default) => Run(async token =>
    {
        var with = ParseContact(contact, nameof(contact));
        if (count is < 1 or > MessageStore.MaxPageSize)
        {
            throw Error(ApiErrorCode.InvalidArgument, $"count must be 1 to {MessageStore.MaxPageSize} (was {count}).");
        }

        return ApiMapping.ToApi(await _messenger.Store.GetHistoryAsync(with, count, before, token).ConfigureAwait(false));
    }, cancellationToken);

    public Task<IReadOnlyList<ApiContact>> ContactsAsync(CancellationToken cancellationToken = default) =>
        ListAsync(state => state != ContactState.Requested, cancellationToken);

    public Task<IReadOnlyList<ApiContact>> RequestsAsync(CancellationToken cancellationToken = default) =>
        ListAsync(state => state == ContactState.Requested, cancellationToken);

    public Task<ApiContactResult> AddContactAsync(string contact, string name, CancellationToken cancellationToken = default) =>
        Change(contact, true, name, (id, token) => _messenger.AddContactAsync(id, name, token), cancellationToken);

    public Task<ApiContactResult> RemoveContactAsync(string contact, CancellationToken cancellationToken = default) =>
        Change(contact, false, null, _messenger.RemoveContactAsync, cancellationToken);

    public Task<ApiContactResult> RenameContactAsync(string contact, string name, CancellationToken cancellationToken = default) =>
        Change(contact, true, name, (id, token) => _messenger.RenameContactAsync(id, name, token), cancellationToken);

    public Task<ApiContactResult> BlockContactAsync(string contact, CancellationToken cancellationToken = default) =>
        Change(contact, false, null, _messenger.BlockAsync, cancellationToken);

    public Task<ApiContactResult> AcceptRequestAsync(string contact, string name, CancellationToken cancellationToken = default) =>
        Change(contact, true, name, (id, token) => _messenger.AcceptRequestAsync(id, name, token), cancellationToken);

    public Task<ApiContactResult> RejectRequestAsync(string contact, CancellationToken cancellationToken = default) =>
        Change(contact, false, null, _messenger.RejectRequestAsync, cancellationToken);

    public Task<ApiStatus> StatusAsync(CancellationToken cancellationToken = default) => Run(async token =>
        ApiMapping.ToApi(await _messenger.GetStatusAsync(token).ConfigureAwait(false), Environment.ProcessId, Version), cancellationToken);

    public Task SubscribeAsync(CancellationToken cancellationToken = default) => Run(_ =>
    {
        lock (_gate)
        {
            if (_subscription is null)
            {
                _subscription = _messenger.Subscribe();
                _forwarding = ForwardAsync(_subscription);
            }
        }

        return Task.FromResult(true);
    }, cancellationToken);

    public Task UnsubscribeAsync(CancellationToken cancellationToken = default) => Run(_ =>
    {
        EventSubscription? subscription;
        lock (_gate)
        {
            subscription = _subscription;
            _subscription = null;
        }

        subscription?.Dispose();
        return Task.FromResult(true);
    }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        EventSubscription? subscription;
        lock (_gate)
        {
            subscription = _subscription;
            _subscription = null;
        }

        subscription?.Dispose();
        await _forwarding.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }

    private static LocalRpcException Error(ApiErrorCode code, string message) => new(message) { ErrorCode = (int)code };

    private static HiddenId ParseContact(string? text, string parameter)
    {
        if (!HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out var error))
        {
            throw Error(ApiErrorCode.InvalidHiddenId, $"{parameter} is not a hidden-id ({error}).");
        }

        return id!;
    }

    private static void CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Error(ApiErrorCode.InvalidArgument, "The name is empty.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > MessageStore.MaxContactNameBytes)
        {
            throw Error(ApiErrorCode.InvalidArgument, $"The name is longer than {MessageStore.MaxContactNameBytes} UTF-8 bytes.");
        }
    }

    private Task<IReadOnlyList<ApiContact>> ListAsync(Func<ContactState, bool> which, CancellationToken cancellationToken) => Run(async token =>
    {
        var contacts = await _messenger.Store.ListContactsAsync(token).ConfigureAwait(false);
        return (IReadOnlyList<ApiContact>)[.. contacts.Where(c => which(c.State)).Select(ApiMapping.ToApi)];
    }, cancellationToken);

    private Task<ApiContactResult> Change(
        string contact, bool named, string? name, Func<HiddenId, CancellationToken, Task<ContactResult>> change, CancellationToken cancellationToken) => Run(async token =>
    {
        var id = ParseContact(contact, nameof(contact));
        if (id == _messenger.HiddenId)
        {
            throw Error(ApiErrorCode.InvalidHiddenId, "contact is this user's own hidden-id.");
        }

        if (named)
        {
            CheckName(name);
        }

        return ApiMapping.ToApi(await change(id, token).ConfigureAwait(false));
    }, cancellationToken);

    // Every method runs here: a bound on the requests in flight, the call cancelled when the client cancels it or the
    // connection closes, and each failure as the error a client can act on.
    private async Task<T> Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _pending) > _options.MaxPendingRequests)
        {
            Interlocked.Decrement(ref _pending);
            throw Error(ApiErrorCode.InvalidArgument, $"More than {_options.MaxPendingRequests} requests are unanswered on this connection; wait for their answers.");
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (LocalRpcException)
        {
            throw;
        }
        catch (ArgumentException e)
        {
            throw Error(ApiErrorCode.InvalidArgument, e.Message);
        }
        catch (ObjectDisposedException)
        {
            throw Error(ApiErrorCode.ShuttingDown, "The daemon is shutting down.");
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            throw Error(ApiErrorCode.ShuttingDown, "The daemon is shutting down.");
        }
        catch (Exception e) when (e is StoreDamagedException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            DaemonLog.RequestFailed(_logger, e);
            throw Error(ApiErrorCode.StoreFailure, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    // One loop per subscribed connection: each event becomes a notification. A client that stops reading blocks only
    // this loop; the messenger drops its subscription when it falls behind, and a write that takes longer than
    // EventWriteTimeout ends the connection.
    private async Task ForwardAsync(EventSubscription subscription)
    {
        var rpc = _rpc!;
        try
        {
            await foreach (var messagingEvent in subscription.Events.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                await rpc.NotifyAsync(IClientApi.EventNotification, ApiMapping.ToApi(messagingEvent))
                    .WaitAsync(_options.EventWriteTimeout, _timeProvider, _closing.Token).ConfigureAwait(false);
            }
        }
        catch (SubscriberFellBehindException e)
        {
            DaemonLog.EventReaderDropped(_logger, e.Message);
            rpc.Dispose();
        }
        catch (TimeoutException)
        {
            DaemonLog.EventReaderDropped(_logger, $"an event waited {_options.EventWriteTimeout} to be written");
            rpc.Dispose();
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionLostException or ObjectDisposedException or IOException)
        {
            // The connection or the daemon is closing.
        }
    }
}
