using System.Text;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing.Messaging;

/// <summary>A running messenger and everything it has told its subscriber since it started.</summary>
public sealed class MessengerPeer : IDisposable
{
    private readonly EventSubscription _subscription;

    /// <summary>Subscribes to <paramref name="messenger"/>'s events.</summary>
    public MessengerPeer(Messenger messenger)
    {
        ArgumentNullException.ThrowIfNull(messenger);
        Messenger = messenger;
        _subscription = messenger.Subscribe();
        Events = new MessagingEventLog(_subscription.Events);
    }

    /// <summary>The messenger.</summary>
    public Messenger Messenger { get; }

    /// <summary>Its hidden-id.</summary>
    public HiddenId Id => Messenger.HiddenId;

    /// <summary>The events seen.</summary>
    public MessagingEventLog Events { get; }

    /// <summary>The texts received from <paramref name="contact"/>, in the order they were delivered to the user.</summary>
    public IReadOnlyList<string> ReceivedFrom(HiddenId contact) =>
        [.. Events.OfType<MessageReceived>().Where(r => r.Message.Contact == contact).Select(r => Encoding.UTF8.GetString(r.Message.Body.Span))];

    /// <summary>How many messages to <paramref name="contact"/> were reported delivered.</summary>
    public int DeliveredTo(HiddenId contact) =>
        Events.OfType<DeliveryStateChanged>().Count(d => d.Contact == contact && d.State == DeliveryState.Delivered);

    /// <summary>The whole history with <paramref name="contact"/> in one direction, oldest first, from the store.</summary>
    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(HiddenId contact, MessageDirection direction)
    {
        var entries = new List<HistoryEntry>();
        long? before = null;
        do
        {
            var page = await Messenger.Store.GetHistoryAsync(contact, MessageStore.MaxPageSize, before, CancellationToken.None);
            entries.InsertRange(0, page.Entries);
            before = page.Older;
        }
        while (before is not null);
        return [.. entries.Where(e => e.Direction == direction)];
    }

    /// <inheritdoc/>
    public void Dispose() => _subscription.Dispose();
}
