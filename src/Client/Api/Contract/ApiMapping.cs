using System.Text;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Api.Contract;

/// <summary>The messenger's values as the API's records.</summary>
internal static class ApiMapping
{
    public static ApiSentMessage ToApi(OutgoingMessage message) =>
        new(message.Contact.ToString(), message.Id.ToString(), message.Sequence, ToApi(message.State), message.CreatedAt);

    public static ApiHistoryPage ToApi(HistoryPage page) =>
        new([.. page.Entries.Select(ToApi)], page.Older);

    public static ApiHistoryEntry ToApi(HistoryEntry entry) => new(
        entry.Position,
        entry.Direction == MessageDirection.Outgoing ? ApiDirection.Outgoing : ApiDirection.Incoming,
        entry.Id.ToString(),
        entry.Sequence,
        entry.Damaged ? string.Empty : Encoding.UTF8.GetString(entry.Body.Span),
        entry.StoredAt,
        entry.SentAt,
        ToApi(entry.State),
        ToApi(entry.Reason),
        entry.Damaged);

    public static ApiContact ToApi(Contact contact) => new(
        contact.HiddenId.ToString(),
        contact.Name,
        contact.State switch
        {
            ContactState.Accepted => ApiContactState.Accepted,
            ContactState.Requested => ApiContactState.Requested,
            _ => ApiContactState.Blocked,
        },
        contact.Created);

    public static ApiContactResult ToApi(ContactResult result) => result switch
    {
        ContactResult.Added => ApiContactResult.Added,
        ContactResult.Updated => ApiContactResult.Updated,
        ContactResult.Removed => ApiContactResult.Removed,
        ContactResult.NotFound => ApiContactResult.NotFound,
        ContactResult.AlreadyExists => ApiContactResult.AlreadyExists,
        _ => ApiContactResult.NotARequest,
    };

    public static ApiStatus ToApi(MessengerStatus status, int processId, string version) => new(
        status.HiddenId.ToString(),
        processId,
        version,
        status.ConsensusValidAfter,
        status.RelaysListed,
        status.ConsensusSignatures?.Signers ?? 0,
        status.ConsensusSignatures?.Pinned ?? 0,
        status.ConsensusSignatures?.Missing ?? [],
        status.PrimaryGuards,
        status.Published,
        status.IntroductionPoints,
        status.Publication.Copies,
        status.Publication.Targets,
        status.Publication.LastStoredAt,
        new ApiCounts(status.Counts.Queued, status.Counts.Sent, status.Counts.Delivered, status.Counts.Failed, status.Counts.Received, status.Counts.Contacts, status.Counts.Requests),
        [.. status.Conversations.Select(c => new ApiConversation(c.Contact.ToString(), ToApi(c.Status), ToApi(c.Reason), c.NextAttemptAt))]);

    public static ApiEvent ToApi(MessagingEvent messagingEvent) => messagingEvent switch
    {
        MessageReceived received => new ApiEvent
        {
            Type = ApiEventType.MessageReceived,
            Contact = received.Message.Contact.ToString(),
            Id = received.Message.Id.ToString(),
            Sequence = received.Message.Sequence,
            Text = Encoding.UTF8.GetString(received.Message.Body.Span),
            SentAt = received.Message.SentAt,
            ReceivedAt = received.Message.ReceivedAt,
            FromContactRequest = received.FromContactRequest,
        },
        DeliveryStateChanged changed => new ApiEvent
        {
            Type = ApiEventType.DeliveryStateChanged,
            Contact = changed.Contact.ToString(),
            Id = changed.Id.ToString(),
            Sequence = changed.Sequence,
            State = ToApi(changed.State),
            Reason = ToApi(changed.Reason),
        },
        ContactRequestReceived request => new ApiEvent
        {
            Type = ApiEventType.ContactRequestReceived,
            Contact = request.Contact.ToString(),
        },
        ConversationStatusChanged status => new ApiEvent
        {
            Type = ApiEventType.ConversationStatusChanged,
            Contact = status.Contact.ToString(),
            Status = ToApi(status.Status),
            WaitReason = ToApi(status.Reason),
            NextAttemptAt = status.NextAttemptAt,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(messagingEvent), messagingEvent.GetType().Name, "An event the API does not know."),
    };

    private static ApiDeliveryState ToApi(DeliveryState state) => state switch
    {
        DeliveryState.Queued => ApiDeliveryState.Queued,
        DeliveryState.Sent => ApiDeliveryState.Sent,
        DeliveryState.Delivered => ApiDeliveryState.Delivered,
        _ => ApiDeliveryState.Failed,
    };

    private static ApiFailureReason ToApi(FailureReason reason) => reason switch
    {
        FailureReason.Refused => ApiFailureReason.Refused,
        FailureReason.TooLarge => ApiFailureReason.TooLarge,
        FailureReason.Cancelled => ApiFailureReason.Cancelled,
        FailureReason.RecipientUnreachable => ApiFailureReason.RecipientUnreachable,
        _ => ApiFailureReason.None,
    };

    private static ApiConversationStatus ToApi(ConversationStatus status) => status switch
    {
        ConversationStatus.Connecting => ApiConversationStatus.Connecting,
        ConversationStatus.Connected => ApiConversationStatus.Connected,
        ConversationStatus.WaitingForContact => ApiConversationStatus.WaitingForContact,
        _ => ApiConversationStatus.Idle,
    };

    private static ApiWaitReason ToApi(WaitReason reason) => reason switch
    {
        WaitReason.Unreachable => ApiWaitReason.Unreachable,
        WaitReason.RequestRateLimited => ApiWaitReason.RequestRateLimited,
        WaitReason.UnsupportedVersion => ApiWaitReason.UnsupportedVersion,
        WaitReason.HandshakeFailed => ApiWaitReason.HandshakeFailed,
        WaitReason.Blocked => ApiWaitReason.Blocked,
        _ => ApiWaitReason.None,
    };
}
