using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>Something the user should see (the daemon forwards these to its clients).</summary>
public abstract record MessagingEvent
{
    private protected MessagingEvent()
    {
    }
}

/// <summary>A message was stored (once, in order).</summary>
/// <param name="Message">It, as the ledger holds it.</param>
/// <param name="FromContactRequest">True when its sender is not a contact: it is part of a contact request.</param>
public sealed record MessageReceived(IncomingMessage Message, bool FromContactRequest) : MessagingEvent;

/// <summary>A sent message changed state (queued, sent, delivered, failed).</summary>
public sealed record DeliveryStateChanged(HiddenId Contact, MessageId Id, ulong Sequence, DeliveryState State, FailureReason Reason) : MessagingEvent;

/// <summary>An unknown sender was admitted as a contact request; its messages follow as <see cref="MessageReceived"/>.</summary>
public sealed record ContactRequestReceived(HiddenId Contact) : MessagingEvent;

/// <summary>A conversation's connection state changed ("waiting for contact" with its reason and next attempt).</summary>
public sealed record ConversationStatusChanged(HiddenId Contact, ConversationStatus Status, WaitReason Reason, DateTimeOffset? NextAttemptAt) : MessagingEvent;
