using System.Threading.Channels;
using HiddenPoint.Client.Api.Connecting;
using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Session;

/// <summary>A session over the client daemon's local API (docs/client-api.md); disposing it closes the connection, not the daemon.</summary>
internal sealed class DaemonSession : IClientSession
{
    private readonly ClientApiConnection _connection;
    private int _subscribed;

    private DaemonSession(ClientApiConnection connection, HiddenId self)
    {
        _connection = connection;
        Self = self;
    }

    public HiddenId Self { get; }

    public SessionKind Kind => SessionKind.Daemon;

    /// <summary>Connects to the daemon of <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="DaemonNotRunningException">No daemon listens there.</exception>
    public static async Task<DaemonSession> ConnectAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var connection = await ClientApiConnection.ConnectAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        try
        {
            var status = await connection.Api.StatusAsync(cancellationToken).ConfigureAwait(false);
            return new DaemonSession(connection, ApiValues.HiddenIdOf(status.HiddenId));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken) =>
        ApiValues.FromApi(await _connection.Api.SendAsync(contact.ToString(), text, cancellationToken).ConfigureAwait(false), text);

    public async Task<ChannelReader<MessagingEvent>> SubscribeAsync(CancellationToken cancellationToken)
    {
        // One subscription per connection (a command subscribes once): the daemon's events from now on.
        if (Interlocked.Exchange(ref _subscribed, 1) != 0)
        {
            throw new InvalidOperationException("This session is subscribed already.");
        }

        await _connection.Api.SubscribeAsync(cancellationToken).ConfigureAwait(false);

        var events = Channel.CreateUnbounded<MessagingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _ = PumpAsync(events.Writer, cancellationToken);
        return events.Reader;
    }

    public async Task<IReadOnlyList<Contact>> ContactsAsync(CancellationToken cancellationToken)
    {
        var contacts = await _connection.Api.ContactsAsync(cancellationToken).ConfigureAwait(false);
        var requests = await _connection.Api.RequestsAsync(cancellationToken).ConfigureAwait(false);
        return [.. contacts.Concat(requests).DistinctBy(c => c.HiddenId).Select(ApiValues.FromApi)];
    }

    public async Task<ContactResult> ChangeContactAsync(ContactChange change, HiddenId contact, string? name, CancellationToken cancellationToken)
    {
        var id = contact.ToString();
        var api = _connection.Api;
        var result = change switch
        {
            ContactChange.Add => await api.AddContactAsync(id, name ?? "", cancellationToken).ConfigureAwait(false),
            ContactChange.Rename => await api.RenameContactAsync(id, name ?? "", cancellationToken).ConfigureAwait(false),
            ContactChange.Remove => await api.RemoveContactAsync(id, cancellationToken).ConfigureAwait(false),
            ContactChange.Block => await api.BlockContactAsync(id, cancellationToken).ConfigureAwait(false),
            ContactChange.Accept => await api.AcceptRequestAsync(id, name ?? "", cancellationToken).ConfigureAwait(false),
            _ => await api.RejectRequestAsync(id, cancellationToken).ConfigureAwait(false),
        };
        return ApiValues.FromApi(result);
    }

    public async Task<HistoryPage> HistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken) =>
        ApiValues.FromApi(await _connection.Api.HistoryAsync(contact.ToString(), count, before, cancellationToken).ConfigureAwait(false));

    public async Task<MessengerStatus> StatusAsync(CancellationToken cancellationToken) =>
        ApiValues.FromApi(await _connection.Api.StatusAsync(cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task PumpAsync(ChannelWriter<MessagingEvent> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var apiEvent in _connection.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                writer.TryWrite(ApiValues.FromApi(apiEvent));
            }

            writer.TryComplete();
        }
        catch (Exception e) when (e is OperationCanceledException or FormatException)
        {
            writer.TryComplete(e is OperationCanceledException ? null : e);
        }
    }
}
