using StreamJsonRpc;

namespace HiddenPoint.Client.Api.Contract;

/// <summary>
/// The client daemon's local API (docs/client-api.md): JSON-RPC 2.0, one JSON object per line, on the owner-only Unix
/// domain socket <c>client.sock</c> in the data directory. Hidden-ids travel in their text form, message ids as 32 hex
/// digits, enums as lower-case strings. Parameters may be given by position or by name (the names below). Events are
/// server-to-client notifications named <see cref="EventNotification"/>, sent after <see cref="SubscribeAsync"/>.
/// </summary>
[JsonRpcContract]
public partial interface IClientApi
{
    /// <summary>The notification that carries each event to a subscribed client; its one parameter is an <see cref="ApiEvent"/>.</summary>
    public const string EventNotification = "event";

    /// <summary>Queues <paramref name="text"/> to <paramref name="contact"/> durably and returns it (state <c>queued</c>).</summary>
    [JsonRpcMethod("send")]
    Task<ApiSentMessage> SendAsync(string contact, string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the conversation with <paramref name="contact"/>, oldest first: the <paramref name="count"/> messages
    /// before the cursor <paramref name="before"/> (null: the newest).
    /// </summary>
    [JsonRpcMethod("history")]
    Task<ApiHistoryPage> HistoryAsync(string contact, int count, long? before = null, CancellationToken cancellationToken = default);

    /// <summary>The contact list: accepted and blocked entries (requests are listed by <see cref="RequestsAsync"/>).</summary>
    [JsonRpcMethod("contacts.list")]
    Task<IReadOnlyList<ApiContact>> ContactsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a contact under <paramref name="name"/>.</summary>
    [JsonRpcMethod("contacts.add")]
    Task<ApiContactResult> AddContactAsync(string contact, string name, CancellationToken cancellationToken = default);

    /// <summary>Removes a contact (its history stays; a later connection from it is a request again).</summary>
    [JsonRpcMethod("contacts.remove")]
    Task<ApiContactResult> RemoveContactAsync(string contact, CancellationToken cancellationToken = default);

    /// <summary>Renames a contact.</summary>
    [JsonRpcMethod("contacts.rename")]
    Task<ApiContactResult> RenameContactAsync(string contact, string name, CancellationToken cancellationToken = default);

    /// <summary>Blocks a sender, known or not: its next connection is refused before anything is stored.</summary>
    [JsonRpcMethod("contacts.block")]
    Task<ApiContactResult> BlockContactAsync(string contact, CancellationToken cancellationToken = default);

    /// <summary>The contact requests waiting for an answer.</summary>
    [JsonRpcMethod("requests.list")]
    Task<IReadOnlyList<ApiContact>> RequestsAsync(CancellationToken cancellationToken = default);

    /// <summary>Accepts a request under <paramref name="name"/>: the sender becomes a contact.</summary>
    [JsonRpcMethod("requests.accept")]
    Task<ApiContactResult> AcceptRequestAsync(string contact, string name, CancellationToken cancellationToken = default);

    /// <summary>Rejects a request: it and its messages are removed.</summary>
    [JsonRpcMethod("requests.reject")]
    Task<ApiContactResult> RejectRequestAsync(string contact, CancellationToken cancellationToken = default);

    /// <summary>A snapshot of the daemon: the network, the hidden point, the counts and each conversation's state.</summary>
    [JsonRpcMethod("status")]
    Task<ApiStatus> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts the event stream on this connection: from then on every event is sent as an
    /// <see cref="EventNotification"/> notification (the first may come just before the answer). Subscribing twice
    /// changes nothing.
    /// </summary>
    [JsonRpcMethod("events.subscribe")]
    Task SubscribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops the event stream on this connection.</summary>
    [JsonRpcMethod("events.unsubscribe")]
    Task UnsubscribeAsync(CancellationToken cancellationToken = default);
}
