using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>One entry of the contact list and where its conversation's connection stands.</summary>
/// <param name="HiddenId">Their hidden-id.</param>
/// <param name="Name">The name the user gave them (empty for a request).</param>
/// <param name="State">Accepted, requested or blocked.</param>
/// <param name="Connection">The conversation's connection (idle when none ran since the messenger started).</param>
/// <param name="Waiting">Why it waits, when <paramref name="Connection"/> is waiting for the contact.</param>
public sealed record TuiContact(HiddenId HiddenId, string Name, ContactState State, ConversationStatus Connection, WaitReason Waiting);
