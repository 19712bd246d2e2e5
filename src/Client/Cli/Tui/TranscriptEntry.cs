using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>One message of the conversation on screen.</summary>
/// <param name="Direction">Sent or received.</param>
/// <param name="Id">Its id (with the direction, what makes it one message).</param>
/// <param name="Text">Its text, decoded (a damaged body reads as a marker).</param>
/// <param name="At">When it was sent (outgoing) or received (incoming).</param>
/// <param name="State">Outgoing: its delivery state.</param>
/// <param name="Reason">Outgoing: why it failed.</param>
public sealed record TranscriptEntry(MessageDirection Direction, MessageId Id, string Text, DateTimeOffset At, DeliveryState State, FailureReason Reason);
