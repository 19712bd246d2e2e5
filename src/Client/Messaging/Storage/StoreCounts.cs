namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>Counts for a status display.</summary>
/// <param name="Queued">Outgoing messages waiting in the outbox, never written to a connection.</param>
/// <param name="Sent">Outgoing messages written to a connection, not yet acknowledged (still in the outbox).</param>
/// <param name="Delivered">Outgoing messages acknowledged by their recipient.</param>
/// <param name="Failed">Outgoing messages given up.</param>
/// <param name="Received">Incoming messages.</param>
/// <param name="Contacts">Accepted contacts.</param>
/// <param name="Requests">Incoming contact requests waiting for an answer.</param>
public sealed record StoreCounts(long Queued, long Sent, long Delivered, long Failed, long Received, long Contacts, long Requests);

/// <summary>What <see cref="MessageStore.VerifyAsync"/> found: rows checked and rows whose sealed values do not authenticate.</summary>
/// <param name="Contacts">Contact rows checked.</param>
/// <param name="DamagedContacts">Contact rows with a value that does not authenticate.</param>
/// <param name="Messages">Message rows checked.</param>
/// <param name="DamagedMessages">Message rows whose body does not authenticate.</param>
/// <param name="Conversations">Conversation rows checked.</param>
/// <param name="DamagedConversations">Conversation rows whose hidden-id does not authenticate.</param>
/// <param name="Settings">Settings checked.</param>
/// <param name="DamagedSettings">Settings whose value does not authenticate.</param>
public sealed record StoreVerification(
    long Contacts, long DamagedContacts, long Messages, long DamagedMessages,
    long Conversations, long DamagedConversations, long Settings, long DamagedSettings)
{
    /// <summary>True when every row authenticated.</summary>
    public bool IsIntact => DamagedContacts == 0 && DamagedMessages == 0 && DamagedConversations == 0 && DamagedSettings == 0;
}
