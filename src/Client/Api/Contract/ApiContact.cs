namespace HiddenPoint.Client.Api.Contract;

/// <summary>An entry of the contact list, or a request.</summary>
/// <param name="HiddenId">Its hidden-id.</param>
/// <param name="Name">The name the user gave it (empty for a request).</param>
/// <param name="State">Accepted, requested or blocked.</param>
/// <param name="Created">When the entry was made.</param>
public sealed record ApiContact(string HiddenId, string Name, ApiContactState State, DateTimeOffset Created);
