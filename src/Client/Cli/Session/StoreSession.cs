using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Session;

/// <summary>
/// A session over the message store alone, for commands that need no network when no daemon runs (contacts, history,
/// status): the contact list changes in the store, and the messenger reads it when it next starts.
/// </summary>
internal sealed class StoreSession(MessageStore store, HiddenId self) : IClientSession
{
    public HiddenId Self => self;

    public SessionKind Kind => SessionKind.InProcess;

    public Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A store session does not send; the command opens the messenger for that.");

    public Task<ChannelReader<MessagingEvent>> SubscribeAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A store session has no events; the command opens the messenger for that.");

    public Task<IReadOnlyList<Contact>> ContactsAsync(CancellationToken cancellationToken) => store.ListContactsAsync(cancellationToken);

    public Task<ContactResult> ChangeContactAsync(ContactChange change, HiddenId contact, string? name, CancellationToken cancellationToken) => change switch
    {
        ContactChange.Add => store.AddContactAsync(contact, name ?? "", cancellationToken),
        ContactChange.Rename => store.RenameContactAsync(contact, name ?? "", cancellationToken),
        ContactChange.Remove => store.RemoveContactAsync(contact, cancellationToken),
        ContactChange.Block => store.BlockContactAsync(contact, cancellationToken),
        ContactChange.Accept => store.AcceptRequestAsync(contact, name ?? "", cancellationToken),
        ContactChange.Reject => store.RejectRequestAsync(contact, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    public Task<HistoryPage> HistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken) =>
        store.GetHistoryAsync(contact, count, before, cancellationToken);

    public async Task<MessengerStatus> StatusAsync(CancellationToken cancellationToken) =>
        new(self, null, 0, null, [], false, 0, Hosting.DescriptorPublication.None, await store.GetCountsAsync(cancellationToken).ConfigureAwait(false), []);

    public ValueTask DisposeAsync()
    {
        store.Dispose();
        return ValueTask.CompletedTask;
    }
}
