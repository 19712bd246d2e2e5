using System.Buffers;
using System.Buffers.Binary;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>
/// Writes conversation frames into a buffer writer (a pipe's writer in the engine). Caller misuse (a body too long
/// or not UTF-8, a zero sequence, a wrong-length signature) throws; these are this side's own values, never input.
/// </summary>
public static class FrameEncoder
{
    /// <summary>Writes a Hello.</summary>
    public static void WriteHello(IBufferWriter<byte> writer, HiddenPointIdentityPublicKey identityKey, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        if (signature.Length != HiddenPointIdentitySecretKey.SignatureLength)
        {
            throw new ArgumentException("A Hello signature is 64 bytes.", nameof(signature));
        }

        var payload = Begin(writer, FrameType.Hello, ConversationLimits.HelloPayloadLength, out var frame);
        BinaryPrimitives.WriteUInt16BigEndian(payload, ConversationLimits.Version);
        identityKey.Bytes.CopyTo(payload[2..]);
        signature.CopyTo(payload[(2 + HiddenPointIdentityPublicKey.Length)..]);
        writer.Advance(frame);
    }

    /// <summary>Writes a HelloAccepted.</summary>
    public static void WriteHelloAccepted(IBufferWriter<byte> writer)
    {
        var payload = Begin(writer, FrameType.HelloAccepted, 2, out var frame);
        BinaryPrimitives.WriteUInt16BigEndian(payload, ConversationLimits.Version);
        writer.Advance(frame);
    }

    /// <summary>Writes a Refused.</summary>
    public static void WriteRefused(IBufferWriter<byte> writer, RefusalReason reason)
    {
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason));
        }

        var payload = Begin(writer, FrameType.Refused, 1, out var frame);
        payload[0] = (byte)reason;
        writer.Advance(frame);
    }

    /// <summary>Writes a Message.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, MessageId id, ulong sequence, DateTimeOffset sentAt, ReadOnlySpan<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sequence);
        CheckBody(body);
        var payload = Begin(writer, FrameType.Message, ConversationLimits.MessageHeaderLength + body.Length, out var frame);
        id.Write(payload);
        BinaryPrimitives.WriteUInt64BigEndian(payload[MessageId.Length..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(payload[(MessageId.Length + 8)..], sentAt.ToUnixTimeMilliseconds());
        body.CopyTo(payload[ConversationLimits.MessageHeaderLength..]);
        writer.Advance(frame);
    }

    /// <summary>Writes an Ack.</summary>
    public static void WriteAck(IBufferWriter<byte> writer, ulong through)
    {
        var payload = Begin(writer, FrameType.Ack, 8, out var frame);
        BinaryPrimitives.WriteUInt64BigEndian(payload, through);
        writer.Advance(frame);
    }

    /// <summary>Throws when <paramref name="body"/> may not be sent: longer than 16 KiB, or not valid UTF-8.</summary>
    public static void CheckBody(ReadOnlySpan<byte> body)
    {
        if (body.Length > ConversationLimits.MaxBodyLength)
        {
            throw new ArgumentException($"A message body is at most {ConversationLimits.MaxBodyLength} bytes of UTF-8.", nameof(body));
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new ArgumentException("A message body is UTF-8 text.", nameof(body));
        }
    }

    private static Span<byte> Begin(IBufferWriter<byte> writer, FrameType type, int payloadLength, out int frameLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        frameLength = ConversationLimits.LengthFieldLength + 1 + payloadLength;
        var span = writer.GetSpan(frameLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(1 + payloadLength));
        span[ConversationLimits.LengthFieldLength] = (byte)type;
        return span.Slice(ConversationLimits.LengthFieldLength + 1, payloadLength);
    }
}
