using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>Someone in the user's contact list, or asking to be.</summary>
/// <param name="HiddenId">Their hidden-id.</param>
/// <param name="Name">The name the user gave them (empty for a request not yet accepted).</param>
/// <param name="State">Accepted, requested or blocked.</param>
/// <param name="Created">When the entry was made.</param>
public sealed record Contact(HiddenId HiddenId, string Name, ContactState State, DateTimeOffset Created);

/// <summary>Where a contact stands.</summary>
public enum ContactState
{
    /// <summary>A contact the user added or accepted: messages both ways.</summary>
    Accepted = 1,

    /// <summary>An unknown sender's incoming contact request, waiting for the user to accept or reject it.</summary>
    Requested = 2,

    /// <summary>Refused before any message of theirs is stored.</summary>
    Blocked = 3,
}

/// <summary>What a change to the contact list did.</summary>
public enum ContactResult
{
    /// <summary>A new entry was made.</summary>
    Added = 1,

    /// <summary>The existing entry was changed.</summary>
    Updated,

    /// <summary>The entry was removed.</summary>
    Removed,

    /// <summary>Nothing changed: there is no entry for that hidden-id.</summary>
    NotFound,

    /// <summary>Nothing changed: there already is an entry for that hidden-id.</summary>
    AlreadyExists,

    /// <summary>Nothing changed: the entry is not a pending request.</summary>
    NotARequest,
}
