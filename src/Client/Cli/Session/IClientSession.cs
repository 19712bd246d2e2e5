using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Session;

/// <summary>
/// What the commands and the terminal UI do with the user's messenger, wherever it runs: in the client daemon (over
/// its local API) or, when no daemon runs, in this process for the command's duration.
/// </summary>
internal interface IClientSession : IAsyncDisposable
{
    /// <summary>The user's hidden-id.</summary>
    HiddenId Self { get; }

    /// <summary>Where the messenger runs, for messages to the user.</summary>
    SessionKind Kind { get; }

    /// <summary>Queues a message durably; it goes out when the contact is reachable.</summary>
    Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken);

    /// <summary>
    /// The events from now on (received messages, delivery states, requests, conversation states), until
    /// <paramref name="cancellationToken"/> is cancelled or the session ends. Subscribe before acting on what to watch.
    /// </summary>
    Task<ChannelReader<MessagingEvent>> SubscribeAsync(CancellationToken cancellationToken);

    /// <summary>Every contact, request and block.</summary>
    Task<IReadOnlyList<Contact>> ContactsAsync(CancellationToken cancellationToken);

    /// <summary>Changes the contact list.</summary>
    Task<ContactResult> ChangeContactAsync(ContactChange change, HiddenId contact, string? name, CancellationToken cancellationToken);

    /// <summary>A page of the history with <paramref name="contact"/>, oldest first.</summary>
    Task<HistoryPage> HistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken);

    /// <summary>The network, the hidden point and the messages.</summary>
    Task<MessengerStatus> StatusAsync(CancellationToken cancellationToken);
}

/// <summary>Where a session's messenger runs.</summary>
internal enum SessionKind
{
    /// <summary>In this process, for this command only: the hidden point is online while the command runs.</summary>
    InProcess = 1,

    /// <summary>In the client daemon, which keeps the hidden point online.</summary>
    Daemon = 2,
}

/// <summary>A change to the contact list.</summary>
internal enum ContactChange
{
    /// <summary>Add a contact under a name.</summary>
    Add = 1,

    /// <summary>Rename a contact.</summary>
    Rename,

    /// <summary>Remove a contact (their next message is a request again).</summary>
    Remove,

    /// <summary>Block a sender.</summary>
    Block,

    /// <summary>Accept a request under a name.</summary>
    Accept,

    /// <summary>Reject a request (its messages go).</summary>
    Reject,
}
