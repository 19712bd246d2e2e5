using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>Everything that reaches a conversation's loop, from the user, its connections and its timers.</summary>
internal abstract record ConversationCommand;

internal sealed record SendCommand(ReadOnlyMemory<byte> Body, TaskCompletionSource<OutgoingMessage> Done) : ConversationCommand;

internal sealed record ConnectionAttached(ConversationConnection Connection, bool AsContactRequest) : ConversationCommand;

internal sealed record DialFailed(WaitReason Reason, RefusalReason? Refusal) : ConversationCommand;

internal sealed record FrameArrived(ConversationConnection Connection, ConversationFrame Frame) : ConversationCommand;

internal sealed record ConnectionEnded(ConversationConnection Connection, ConnectionEndReason Reason) : ConversationCommand;

internal sealed record GraceExpired(ConversationConnection Connection) : ConversationCommand;

internal sealed record RetryDue : ConversationCommand;

internal sealed record RotateRequested : ConversationCommand;
