using System.Runtime.CompilerServices;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// The screen's session over a command session (<see cref="IClientSession"/>: the daemon's, or a messenger in this
/// process), with the relays from <paramref name="consensus"/> (the messenger's own, or the consensus the daemon keeps
/// in its cache file, read again at each refresh).
/// </summary>
internal sealed class ClientTuiSession(IClientSession session, Func<Consensus?> consensus, int introductionPointsWanted) : ITuiSession
{
    public Task<IReadOnlyList<TuiRelay>> ListRelaysAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TuiRelay> relays = consensus() is { } current
            ? [.. current.Relays.Select(r => new TuiRelay(r.Nickname, r.Id.ToString(), [.. r.Addresses.Select(a => a.ToString())], r.Flags, r.BandwidthWeight))]
            : [];
        return Task.FromResult(relays);
    }

    public async Task<IReadOnlyList<TuiContact>> ListContactsAsync(CancellationToken cancellationToken)
    {
        var contacts = await session.ContactsAsync(cancellationToken).ConfigureAwait(false);
        var status = await session.StatusAsync(cancellationToken).ConfigureAwait(false);
        var connections = status.Conversations.GroupBy(c => c.Contact).ToDictionary(g => g.Key, g => g.Last());
        return [.. contacts.Select(c => connections.TryGetValue(c.HiddenId, out var state)
            ? new TuiContact(c.HiddenId, c.Name, c.State, state.Status, state.Reason)
            : new TuiContact(c.HiddenId, c.Name, c.State, ConversationStatus.Idle, WaitReason.None))];
    }

    public Task<HistoryPage> GetHistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken) =>
        session.HistoryAsync(contact, count, before, cancellationToken);

    public Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken) =>
        session.SendAsync(contact, text, cancellationToken);

    public Task<ContactResult> AcceptRequestAsync(HiddenId contact, string name, CancellationToken cancellationToken) =>
        session.ChangeContactAsync(ContactChange.Accept, contact, name, cancellationToken);

    public Task<ContactResult> RejectRequestAsync(HiddenId contact, CancellationToken cancellationToken) =>
        session.ChangeContactAsync(ContactChange.Reject, contact, null, cancellationToken);

    public Task<ContactResult> BlockAsync(HiddenId contact, CancellationToken cancellationToken) =>
        session.ChangeContactAsync(ContactChange.Block, contact, null, cancellationToken);

    public async Task<TuiStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var status = await session.StatusAsync(cancellationToken).ConfigureAwait(false);
        return new TuiStatus(
            status.ConsensusValidAfter,
            status.RelaysListed,
            status.PrimaryGuards.Count,
            status.IntroductionPoints,
            introductionPointsWanted,
            status.Published,
            status.Conversations.Count(c => c.Status == ConversationStatus.Connected),
            status.Conversations.Count(c => c.Status == ConversationStatus.WaitingForContact),
            status.Counts.Queued + status.Counts.Sent,
            status.Counts.Delivered,
            status.Counts.Failed,
            status.Counts.Requests,
            status.Publication.Degraded);
    }

    public async IAsyncEnumerable<MessagingEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = await session.SubscribeAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var messagingEvent in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return messagingEvent;
        }
    }
}
