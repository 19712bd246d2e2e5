using System.Buffers;
using System.Buffers.Binary;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>
/// Decodes conversation frames from hostile bytes. Pure: no I/O, never throws on input. The declared length is
/// checked against <see cref="ConversationLimits.MaxFrameLength"/> before the rest of the frame is waited for, so a
/// peer cannot make this side buffer more than one largest frame. Error offsets count from the first byte of the
/// frame's length field.
/// </summary>
public static class FrameDecoder
{
    private const int TypeOffset = ConversationLimits.LengthFieldLength;
    private const int PayloadOffset = TypeOffset + 1;

    /// <summary>Reads one frame from the front of <paramref name="input"/>.</summary>
    /// <param name="input">Received bytes, starting at a frame boundary.</param>
    /// <param name="frame">The frame, when the result is <see cref="FrameReadStatus.Frame"/>.</param>
    /// <param name="consumed">Bytes the frame took, when the result is <see cref="FrameReadStatus.Frame"/>.</param>
    /// <param name="error">Why, when the result is <see cref="FrameReadStatus.Malformed"/>.</param>
    public static FrameReadStatus TryDecode(ReadOnlySpan<byte> input, out ConversationFrame? frame, out int consumed, out DecodeError error)
    {
        frame = null;
        consumed = 0;
        error = default;
        if (input.Length < ConversationLimits.LengthFieldLength)
        {
            return FrameReadStatus.NeedMore;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(input);
        if (length == 0)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, 0, "a frame holds at least its type byte");
            return FrameReadStatus.Malformed;
        }

        if (length > ConversationLimits.MaxFrameLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, 0, "frame longer than the protocol's largest frame");
            return FrameReadStatus.Malformed;
        }

        // The type is known before the payload arrives: refuse an unknown one without waiting for its bytes.
        if (input.Length > TypeOffset && !Enum.IsDefined((FrameType)input[TypeOffset]))
        {
            error = new DecodeError(DecodeErrorKind.UnknownCommand, TypeOffset, "unknown frame type");
            return FrameReadStatus.Malformed;
        }

        var total = ConversationLimits.LengthFieldLength + (int)length;
        if (input.Length < total)
        {
            return FrameReadStatus.NeedMore;
        }

        var type = (FrameType)input[TypeOffset];
        var reader = new WireReader(input[PayloadOffset..total], PayloadOffset);
        frame = type switch
        {
            FrameType.Hello => ReadHello(ref reader, out error),
            FrameType.HelloAccepted => ReadHelloAccepted(ref reader, out error),
            FrameType.Refused => ReadRefused(ref reader, out error),
            FrameType.Message => ReadMessage(ref reader, out error),
            _ => ReadAck(ref reader, out error),
        };
        if (frame is null || !reader.TryExpectEnd(out error))
        {
            frame = null;
            return FrameReadStatus.Malformed;
        }

        consumed = total;
        return FrameReadStatus.Frame;
    }

    /// <summary>
    /// Reads one frame from the front of a pipe's buffer and, on success, slices it off. A frame split across
    /// segments is copied once into a pooled buffer (at most one largest frame).
    /// </summary>
    public static FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, out ConversationFrame? frame, out DecodeError error)
    {
        int consumed;
        FrameReadStatus status;
        if (buffer.IsSingleSegment)
        {
            status = TryDecode(buffer.FirstSpan, out frame, out consumed, out error);
        }
        else
        {
            // The header alone decides "malformed" or "need more" until the whole frame is there: nothing is copied
            // for a frame still arriving.
            Span<byte> header = stackalloc byte[PayloadOffset];
            var headerLength = (int)Math.Min(buffer.Length, PayloadOffset);
            buffer.Slice(0, headerLength).CopyTo(header);
            status = TryDecode(header[..headerLength], out frame, out consumed, out error);
            var total = headerLength >= ConversationLimits.LengthFieldLength
                ? ConversationLimits.LengthFieldLength + (long)BinaryPrimitives.ReadUInt32BigEndian(header)
                : long.MaxValue;
            if (status == FrameReadStatus.NeedMore && buffer.Length >= total)
            {
                var rented = ArrayPool<byte>.Shared.Rent((int)total);
                try
                {
                    buffer.Slice(0, total).CopyTo(rented);
                    status = TryDecode(rented.AsSpan(0, (int)total), out frame, out consumed, out error);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        if (status == FrameReadStatus.Frame)
        {
            buffer = buffer.Slice(consumed);
        }

        return status;
    }

    private static HelloFrame? ReadHello(ref WireReader reader, out DecodeError error)
    {
        if (!reader.TryReadU16(out var version))
        {
            error = reader.Truncated();
            return null;
        }

        if (version != ConversationLimits.Version)
        {
            error = new DecodeError(DecodeErrorKind.UnsupportedVersion, reader.Offset - 2, "unsupported conversation version");
            return null;
        }

        var keyAt = reader.Offset;
        if (!reader.TryReadBytes(HiddenPointIdentityPublicKey.Length, out var key) ||
            !reader.TryReadBytes(HiddenPointIdentitySecretKey.SignatureLength, out var signature))
        {
            error = reader.Truncated();
            return null;
        }

        if (HiddenPointIdentityPublicKey.TryCreate(key, out var identityKey) != HiddenIdError.None)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, keyAt, "identity key is not a valid prime-order point");
            return null;
        }

        error = default;
        return new HelloFrame(version, identityKey!, signature.ToArray());
    }

    private static HelloAcceptedFrame? ReadHelloAccepted(ref WireReader reader, out DecodeError error)
    {
        if (!reader.TryReadU16(out var version))
        {
            error = reader.Truncated();
            return null;
        }

        if (version != ConversationLimits.Version)
        {
            error = new DecodeError(DecodeErrorKind.UnsupportedVersion, reader.Offset - 2, "unsupported conversation version");
            return null;
        }

        error = default;
        return new HelloAcceptedFrame(version);
    }

    private static RefusedFrame? ReadRefused(ref WireReader reader, out DecodeError error)
    {
        if (!reader.TryReadU8(out var reason))
        {
            error = reader.Truncated();
            return null;
        }

        if (!Enum.IsDefined((RefusalReason)reason))
        {
            error = new DecodeError(DecodeErrorKind.BadValue, reader.Offset - 1, "unknown refusal reason");
            return null;
        }

        error = default;
        return new RefusedFrame((RefusalReason)reason);
    }

    private static MessageFrame? ReadMessage(ref WireReader reader, out DecodeError error)
    {
        if (!reader.TryReadBytes(MessageId.Length, out var id) ||
            !reader.TryReadBytes(8, out var sequenceBytes) ||
            !reader.TryReadBytes(8, out var sentAtBytes))
        {
            error = reader.Truncated();
            return null;
        }

        var sequence = BinaryPrimitives.ReadUInt64BigEndian(sequenceBytes);
        if (sequence == 0)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, reader.Offset - 16, "message sequence numbers start at 1");
            return null;
        }

        var sentAtMs = BinaryPrimitives.ReadInt64BigEndian(sentAtBytes);
        if (sentAtMs < 0 || sentAtMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            error = new DecodeError(DecodeErrorKind.BadValue, reader.Offset - 8, "sent-at out of range");
            return null;
        }

        var bodyAt = reader.Offset;
        var body = reader.ReadRest();
        if (body.Length > ConversationLimits.MaxBodyLength)
        {
            // Only reachable through a frame length the framer already allows; kept for decoders of payloads alone.
            error = new DecodeError(DecodeErrorKind.BadLength, bodyAt, "message body longer than 16 KiB");
            return null;
        }

        var invalidAt = FirstInvalidUtf8(body);
        if (invalidAt >= 0)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, bodyAt + invalidAt, "message body is not valid UTF-8");
            return null;
        }

        error = default;
        return new MessageFrame(MessageId.Read(id), sequence, DateTimeOffset.FromUnixTimeMilliseconds(sentAtMs), body.ToArray());
    }

    private static AckFrame? ReadAck(ref WireReader reader, out DecodeError error)
    {
        if (!reader.TryReadBytes(8, out var through))
        {
            error = reader.Truncated();
            return null;
        }

        error = default;
        return new AckFrame(BinaryPrimitives.ReadUInt64BigEndian(through));
    }

    /// <summary>The offset of the first byte that makes <paramref name="text"/> invalid UTF-8, or -1.</summary>
    internal static int FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            return -1;
        }

        var status = System.Text.Rune.DecodeFromUtf8(text, out _, out var consumed);
        var offset = 0;
        while (status == OperationStatus.Done)
        {
            offset += consumed;
            status = System.Text.Rune.DecodeFromUtf8(text[offset..], out _, out consumed);
        }

        return offset;
    }
}
