using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>One decoded frame of the conversation protocol.</summary>
public abstract record ConversationFrame
{
    private protected ConversationFrame()
    {
    }

    /// <summary>Its type byte.</summary>
    public abstract FrameType Type { get; }
}

/// <summary>The connecting side's first frame. The signature is checked by <see cref="HelloProof"/>, not by the decoder.</summary>
/// <param name="Version">The protocol version the sender speaks.</param>
/// <param name="IdentityKey">The sender's hidden-id identity key (a valid prime-order point).</param>
/// <param name="Signature">Ed25519 over <see cref="HelloProof"/>'s signed bytes for this connection.</param>
public sealed record HelloFrame(ushort Version, HiddenPointIdentityPublicKey IdentityKey, ReadOnlyMemory<byte> Signature) : ConversationFrame
{
    /// <inheritdoc/>
    public override FrameType Type => FrameType.Hello;
}

/// <summary>The host accepted the Hello.</summary>
/// <param name="Version">The version the conversation runs at.</param>
public sealed record HelloAcceptedFrame(ushort Version) : ConversationFrame
{
    /// <inheritdoc/>
    public override FrameType Type => FrameType.HelloAccepted;
}

/// <summary>The host refused the Hello.</summary>
/// <param name="Reason">Why.</param>
public sealed record RefusedFrame(RefusalReason Reason) : ConversationFrame
{
    /// <inheritdoc/>
    public override FrameType Type => FrameType.Refused;
}

/// <summary>One message.</summary>
/// <param name="Id">The sender's random id for it.</param>
/// <param name="Sequence">Its place in the sender's side of the conversation, from 1.</param>
/// <param name="SentAt">When the sender's user sent it (Unix milliseconds on the wire).</param>
/// <param name="Body">Its text, valid UTF-8, at most <see cref="ConversationLimits.MaxBodyLength"/> bytes.</param>
public sealed record MessageFrame(MessageId Id, ulong Sequence, DateTimeOffset SentAt, ReadOnlyMemory<byte> Body) : ConversationFrame
{
    /// <inheritdoc/>
    public override FrameType Type => FrameType.Message;
}

/// <summary>Every message of the other side up to and including <paramref name="Through"/> is stored.</summary>
/// <param name="Through">The highest sequence stored with none missing below it (0: none yet).</param>
public sealed record AckFrame(ulong Through) : ConversationFrame
{
    /// <inheritdoc/>
    public override FrameType Type => FrameType.Ack;
}
