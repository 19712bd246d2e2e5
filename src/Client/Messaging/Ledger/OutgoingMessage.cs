using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>A message the user sent, as the ledger holds it.</summary>
/// <param name="Contact">The recipient.</param>
/// <param name="Id">Its random id.</param>
/// <param name="Sequence">Its place in the conversation from this side: 1, 2, 3… with no gap.</param>
/// <param name="Body">The text (UTF-8).</param>
/// <param name="CreatedAt">When the user sent it.</param>
/// <param name="State">Its delivery state.</param>
/// <param name="Reason">Why it failed or waits, when it does.</param>
public sealed record OutgoingMessage(
    HiddenId Contact, MessageId Id, ulong Sequence, ReadOnlyMemory<byte> Body, DateTimeOffset CreatedAt, DeliveryState State, FailureReason Reason);
