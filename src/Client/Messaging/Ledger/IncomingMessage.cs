using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>A message received from a contact, as the ledger holds it once it is delivered to the user.</summary>
/// <param name="Contact">The sender, proven by its identity key at the start of the connection.</param>
/// <param name="Id">The sender's random id for it.</param>
/// <param name="Sequence">Its place in the conversation from the sender's side.</param>
/// <param name="Body">The text (UTF-8).</param>
/// <param name="SentAt">When the sender says it sent it (not trusted for ordering).</param>
/// <param name="ReceivedAt">When it was stored here.</param>
public sealed record IncomingMessage(
    HiddenId Contact, MessageId Id, ulong Sequence, ReadOnlyMemory<byte> Body, DateTimeOffset SentAt, DateTimeOffset ReceivedAt);
