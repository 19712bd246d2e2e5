using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Session;

/// <summary>A session over a <see cref="Messenger"/> running in this process; disposing it stops the messenger.</summary>
internal sealed class MessengerSession(Messenger messenger, IDisposable? services) : IClientSession
{
    public HiddenId Self => messenger.HiddenId;

    public SessionKind Kind => SessionKind.InProcess;

    /// <summary>The messenger (for the daemon, which serves it).</summary>
    public Messenger Messenger => messenger;

    public Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken) =>
        messenger.SendAsync(contact, text, cancellationToken);

    public Task<ChannelReader<MessagingEvent>> SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscription = messenger.Subscribe();
        cancellationToken.Register(subscription.Dispose);
        return Task.FromResult(subscription.Events);
    }

    public Task<IReadOnlyList<Contact>> ContactsAsync(CancellationToken cancellationToken) => messenger.Store.ListContactsAsync(cancellationToken);

    public Task<ContactResult> ChangeContactAsync(ContactChange change, HiddenId contact, string? name, CancellationToken cancellationToken) => change switch
    {
        ContactChange.Add => messenger.AddContactAsync(contact, name ?? "", cancellationToken),
        ContactChange.Rename => messenger.RenameContactAsync(contact, name ?? "", cancellationToken),
        ContactChange.Remove => messenger.RemoveContactAsync(contact, cancellationToken),
        ContactChange.Block => messenger.BlockAsync(contact, cancellationToken),
        ContactChange.Accept => messenger.AcceptRequestAsync(contact, name ?? "", cancellationToken),
        ContactChange.Reject => messenger.RejectRequestAsync(contact, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    public Task<HistoryPage> HistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken) =>
        messenger.Store.GetHistoryAsync(contact, count, before, cancellationToken);

    public Task<MessengerStatus> StatusAsync(CancellationToken cancellationToken) => messenger.GetStatusAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await messenger.DisposeAsync().ConfigureAwait(false);
        services?.Dispose();
    }
}
