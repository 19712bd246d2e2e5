using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// What the terminal UI needs from the user's messenger, whether it runs in this process or behind the client daemon's
/// local API. Every call may be made from any thread; none blocks the screen.
/// </summary>
public interface ITuiSession
{
    /// <summary>The relays the latest consensus lists (empty before the first one).</summary>
    Task<IReadOnlyList<TuiRelay>> ListRelaysAsync(CancellationToken cancellationToken);

    /// <summary>Contacts, pending requests and blocked senders, with where each conversation's connection stands.</summary>
    Task<IReadOnlyList<TuiContact>> ListContactsAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> messages of the conversation with <paramref name="contact"/> before <paramref name="before"/> (null: the newest).</summary>
    Task<HistoryPage> GetHistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="text"/> to <paramref name="contact"/>; its delivery states follow as events.</summary>
    Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken);

    /// <summary>Accepts a pending contact request under <paramref name="name"/>.</summary>
    Task<ContactResult> AcceptRequestAsync(HiddenId contact, string name, CancellationToken cancellationToken);

    /// <summary>Rejects a pending contact request (its messages are removed).</summary>
    Task<ContactResult> RejectRequestAsync(HiddenId contact, CancellationToken cancellationToken);

    /// <summary>Blocks a sender.</summary>
    Task<ContactResult> BlockAsync(HiddenId contact, CancellationToken cancellationToken);

    /// <summary>A snapshot for the status line.</summary>
    Task<TuiStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The messenger's events from now on, until <paramref name="cancellationToken"/> is cancelled or the session ends.
    /// Ends with <see cref="Messaging.Service.SubscriberFellBehindException"/> when the reader fell too far behind: the
    /// screen then reloads what it shows and watches again.
    /// </summary>
    IAsyncEnumerable<MessagingEvent> WatchAsync(CancellationToken cancellationToken);
}
