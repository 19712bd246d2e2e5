namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>What a host does with a connection whose Hello proved a given hidden-id.</summary>
public enum ContactDecision
{
    /// <summary>A known, accepted contact: the conversation runs.</summary>
    Accept = 1,

    /// <summary>Not a contact: the connection becomes a contact request (rate-limited), its messages stored with it.</summary>
    Request = 2,

    /// <summary>Blocked: refused before anything is stored.</summary>
    Refuse = 3,
}
