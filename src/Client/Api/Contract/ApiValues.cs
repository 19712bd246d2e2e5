using System.Globalization;
using System.Text;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Api.Contract;

/// <summary>
/// The API's records as the messenger's values, for a .NET front end (hpc-client's commands) that works the same
/// whether the messenger runs in the daemon or in its own process. The reverse of <see cref="ApiMapping"/>.
/// </summary>
/// <remarks>Values the daemon sent are trusted to be well formed; one that is not throws <see cref="FormatException"/>.</remarks>
public static class ApiValues
{
    /// <summary>A hidden-id from its text.</summary>
    public static HiddenId HiddenIdOf(string text) =>
        HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out var error) ? id! : throw new FormatException($"The daemon sent a malformed hidden-id ({error}).");

    /// <summary>A message id from its 32 hex digits.</summary>
    public static MessageId MessageIdOf(string hex) =>
        UInt128.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? new MessageId(value) : throw new FormatException("The daemon sent a malformed message id.");

    public static OutgoingMessage FromApi(ApiSentMessage message, string text)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(HiddenIdOf(message.Contact), MessageIdOf(message.Id), message.Sequence, Encoding.UTF8.GetBytes(text), message.CreatedAt, FromApi(message.State), FailureReason.None);
    }

    public static HistoryPage FromApi(ApiHistoryPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new([.. page.Entries.Select(e => new HistoryEntry(
            e.Position,
            e.Direction == ApiDirection.Outgoing ? MessageDirection.Outgoing : MessageDirection.Incoming,
            MessageIdOf(e.Id),
            e.Sequence,
            Encoding.UTF8.GetBytes(e.Text),
            e.StoredAt,
            e.SentAt,
            FromApi(e.State),
            FromApi(e.Reason),
            e.Damaged))], page.Older);
    }

    public static Contact FromApi(ApiContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return new(HiddenIdOf(contact.HiddenId), contact.Name, contact.State switch
        {
            ApiContactState.Accepted => ContactState.Accepted,
            ApiContactState.Requested => ContactState.Requested,
            _ => ContactState.Blocked,
        }, contact.Created);
    }

    public static ContactResult FromApi(ApiContactResult result) => result switch
    {
        ApiContactResult.Added => ContactResult.Added,
        ApiContactResult.Updated => ContactResult.Updated,
        ApiContactResult.Removed => ContactResult.Removed,
        ApiContactResult.NotFound => ContactResult.NotFound,
        ApiContactResult.AlreadyExists => ContactResult.AlreadyExists,
        _ => ContactResult.NotARequest,
    };

    public static MessengerStatus FromApi(ApiStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var counts = status.Counts;
        return new(
            HiddenIdOf(status.HiddenId),
            status.ConsensusValidAfter,
            status.RelaysListed,
            status.ConsensusValidAfter is null ? null : new ConsensusSignatureReport(status.ConsensusSigners, status.AuthoritiesPinned, status.AuthoritiesNotSigning ?? []),
            status.PrimaryGuards,
            status.Published,
            status.IntroductionPoints,
            new DescriptorPublication(status.DescriptorCopies, status.DescriptorTargets, status.DescriptorStoredAt),
            new StoreCounts(counts.Queued, counts.Sent, counts.Delivered, counts.Failed, counts.Received, counts.Contacts, counts.Requests),
            [.. status.Conversations.Select(c => new ConversationState(HiddenIdOf(c.Contact), FromApi(c.Status), FromApi(c.Reason), c.NextAttemptAt))]);
    }

    public static MessagingEvent FromApi(ApiEvent apiEvent)
    {
        ArgumentNullException.ThrowIfNull(apiEvent);
        var contact = HiddenIdOf(apiEvent.Contact);
        return apiEvent.Type switch
        {
            ApiEventType.MessageReceived => new MessageReceived(
                new IncomingMessage(contact, MessageIdOf(apiEvent.Id ?? ""), apiEvent.Sequence ?? 0, Encoding.UTF8.GetBytes(apiEvent.Text ?? ""),
                    apiEvent.SentAt ?? default, apiEvent.ReceivedAt ?? default),
                apiEvent.FromContactRequest ?? false),
            ApiEventType.DeliveryStateChanged => new DeliveryStateChanged(
                contact, MessageIdOf(apiEvent.Id ?? ""), apiEvent.Sequence ?? 0, FromApi(apiEvent.State ?? ApiDeliveryState.Queued), FromApi(apiEvent.Reason ?? ApiFailureReason.None)),
            ApiEventType.ContactRequestReceived => new ContactRequestReceived(contact),
            _ => new ConversationStatusChanged(contact, FromApi(apiEvent.Status ?? ApiConversationStatus.Idle), FromApi(apiEvent.WaitReason ?? ApiWaitReason.None), apiEvent.NextAttemptAt),
        };
    }

    private static DeliveryState FromApi(ApiDeliveryState state) => state switch
    {
        ApiDeliveryState.Queued => DeliveryState.Queued,
        ApiDeliveryState.Sent => DeliveryState.Sent,
        ApiDeliveryState.Delivered => DeliveryState.Delivered,
        _ => DeliveryState.Failed,
    };

    private static FailureReason FromApi(ApiFailureReason reason) => reason switch
    {
        ApiFailureReason.Refused => FailureReason.Refused,
        ApiFailureReason.TooLarge => FailureReason.TooLarge,
        ApiFailureReason.Cancelled => FailureReason.Cancelled,
        ApiFailureReason.RecipientUnreachable => FailureReason.RecipientUnreachable,
        _ => FailureReason.None,
    };

    private static ConversationStatus FromApi(ApiConversationStatus status) => status switch
    {
        ApiConversationStatus.Connecting => ConversationStatus.Connecting,
        ApiConversationStatus.Connected => ConversationStatus.Connected,
        ApiConversationStatus.WaitingForContact => ConversationStatus.WaitingForContact,
        _ => ConversationStatus.Idle,
    };

    private static WaitReason FromApi(ApiWaitReason reason) => reason switch
    {
        ApiWaitReason.Unreachable => WaitReason.Unreachable,
        ApiWaitReason.RequestRateLimited => WaitReason.RequestRateLimited,
        ApiWaitReason.UnsupportedVersion => WaitReason.UnsupportedVersion,
        ApiWaitReason.HandshakeFailed => WaitReason.HandshakeFailed,
        ApiWaitReason.Blocked => WaitReason.Blocked,
        _ => WaitReason.None,
    };
}
