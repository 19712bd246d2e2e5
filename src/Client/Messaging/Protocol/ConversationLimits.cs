namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>The fixed sizes and limits of the conversation protocol (docs/messaging.md, "Frames").</summary>
public static class ConversationLimits
{
    /// <summary>The only protocol version this implementation speaks.</summary>
    public const ushort Version = 1;

    /// <summary>
    /// The virtual port of the conversation stream on a hidden-point connection. A host refuses a stream to any other
    /// port, and the first stream to this port is the conversation.
    /// </summary>
    public const ushort VirtualPort = 1;

    /// <summary>The largest message body: 16 KiB of UTF-8 text.</summary>
    public const int MaxBodyLength = 16_384;

    /// <summary>Bytes of the length field that starts every frame (big-endian, counts the type byte and payload).</summary>
    public const int LengthFieldLength = 4;

    /// <summary>Bytes of a channel binding, the per-connection value a Hello's proof signs.</summary>
    public const int ChannelBindingLength = 32;

    /// <summary>Bytes of a Message payload before its body.</summary>
    public const int MessageHeaderLength = 16 + 8 + 8; // id, sequence, sent-at

    /// <summary>Bytes of a Hello payload.</summary>
    public const int HelloPayloadLength = 2 + 32 + 64; // version, identity key, signature

    /// <summary>
    /// The largest value of a frame's length field: the type byte plus the largest payload (a Message with a full
    /// body). A larger declared length is refused before any of the frame is buffered.
    /// </summary>
    public const int MaxFrameLength = 1 + MessageHeaderLength + MaxBodyLength;
}
