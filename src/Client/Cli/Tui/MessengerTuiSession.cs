using System.Runtime.CompilerServices;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>The terminal UI's session over a <see cref="Messenger"/> running in this process (no daemon).</summary>
public sealed class MessengerTuiSession : ITuiSession
{
    private readonly Messenger _messenger;
    private readonly int _introductionPointsWanted;

    /// <summary>Wraps <paramref name="messenger"/>, started with <paramref name="options"/>; the caller keeps owning it.</summary>
    public MessengerTuiSession(Messenger messenger, MessengerOptions options)
    {
        ArgumentNullException.ThrowIfNull(messenger);
        ArgumentNullException.ThrowIfNull(options);
        _messenger = messenger;
        _introductionPointsWanted = options.Core.Hosting.IntroductionPointCount;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TuiRelay>> ListRelaysAsync(CancellationToken cancellationToken)
    {
        var consensus = _messenger.Core.Consensus.Latest;
        IReadOnlyList<TuiRelay> relays = consensus is null
            ? []
            : [.. consensus.Relays.Select(r => new TuiRelay(r.Nickname, r.Id.ToString(), [.. r.Addresses.Select(a => a.ToString())], r.Flags, r.BandwidthWeight))];
        return Task.FromResult(relays);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TuiContact>> ListContactsAsync(CancellationToken cancellationToken)
    {
        var contacts = await _messenger.Store.ListContactsAsync(cancellationToken).ConfigureAwait(false);
        var status = await _messenger.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var connections = status.Conversations.ToDictionary(c => c.Contact);
        return [.. contacts.Select(c => connections.TryGetValue(c.HiddenId, out var state)
            ? new TuiContact(c.HiddenId, c.Name, c.State, state.Status, state.Reason)
            : new TuiContact(c.HiddenId, c.Name, c.State, ConversationStatus.Idle, WaitReason.None))];
    }

    /// <inheritdoc/>
    public Task<HistoryPage> GetHistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken) =>
        _messenger.Store.GetHistoryAsync(contact, count, before, cancellationToken);

    /// <inheritdoc/>
    public Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken) =>
        _messenger.SendAsync(contact, text, cancellationToken);

    /// <inheritdoc/>
    public Task<ContactResult> AcceptRequestAsync(HiddenId contact, string name, CancellationToken cancellationToken) =>
        _messenger.AcceptRequestAsync(contact, name, cancellationToken);

    /// <inheritdoc/>
    public Task<ContactResult> RejectRequestAsync(HiddenId contact, CancellationToken cancellationToken) =>
        _messenger.RejectRequestAsync(contact, cancellationToken);

    /// <inheritdoc/>
    public Task<ContactResult> BlockAsync(HiddenId contact, CancellationToken cancellationToken) =>
        _messenger.BlockAsync(contact, cancellationToken);

    /// <inheritdoc/>
    public async Task<TuiStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var status = await _messenger.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return new TuiStatus(
            status.ConsensusValidAfter,
            status.RelaysListed,
            status.PrimaryGuards.Count,
            status.IntroductionPoints,
            _introductionPointsWanted,
            status.Published,
            status.Conversations.Count(c => c.Status == ConversationStatus.Connected),
            status.Conversations.Count(c => c.Status == ConversationStatus.WaitingForContact),
            status.Counts.Queued + status.Counts.Sent,
            status.Counts.Delivered,
            status.Counts.Failed,
            status.Counts.Requests);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<MessagingEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = _messenger.Subscribe();
        await foreach (var messagingEvent in subscription.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return messagingEvent;
        }
    }
}
