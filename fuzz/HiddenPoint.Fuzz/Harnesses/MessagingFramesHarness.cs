using System.Buffers;
using HiddenPoint.Client.Messaging.Protocol;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// The messaging protocol's frames (src/Client/Messaging/Protocol), what a contact sends over the joined circuit: read
/// one after another from the input as a stream; each accepted frame is re-encoded with the frame encoder and must
/// decode back to the same encoding.
/// </summary>
internal sealed class MessagingFramesHarness : Harness
{
    public override string Name => "messaging-frames";

    public override string Description => "messaging frames (hello, accepted, refused, message, ack) from a byte stream (round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var sequence = new ReadOnlySequence<byte>(input.ToArray());
        while (FrameDecoder.TryRead(ref sequence, out var frame, out _) == FrameReadStatus.Frame && frame is not null)
        {
            var encoded = Encode(frame);
            CheckAccepted(FrameDecoder.TryDecode(encoded, out var again, out var consumed, out _) == FrameReadStatus.Frame && again is not null, "frame");
            if (consumed != encoded.Length)
            {
                throw new FuzzInvariantException("frame: the re-encoded frame is not consumed whole.");
            }

            CheckSame(encoded, Encode(again), "frame");
        }
    }

    private static byte[] Encode(ConversationFrame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        switch (frame)
        {
            case HelloFrame hello:
                FrameEncoder.WriteHello(writer, hello.IdentityKey, hello.Signature.Span);
                break;
            case HelloAcceptedFrame:
                FrameEncoder.WriteHelloAccepted(writer);
                break;
            case RefusedFrame refused:
                FrameEncoder.WriteRefused(writer, refused.Reason);
                break;
            case MessageFrame message:
                FrameEncoder.WriteMessage(writer, message.Id, message.Sequence, message.SentAt, message.Body.Span);
                break;
            case AckFrame ack:
                FrameEncoder.WriteAck(writer, ack.Through);
                break;
            default:
                throw new FuzzInvariantException("frame: a frame type the harness does not know.");
        }

        return writer.WrittenSpan.ToArray();
    }

    public override IEnumerable<byte[]> Seeds()
    {
        using var identity = Crypto.HiddenPoints.HiddenPointIdentitySecretKey.FromSeed(FixedKeys.Seed(13, 1));
        var hello = new ArrayBufferWriter<byte>();
        FrameEncoder.WriteHello(hello, identity.PublicKey, Samples.Bytes(64, 1));
        yield return hello.WrittenSpan.ToArray();

        var stream = new ArrayBufferWriter<byte>();
        FrameEncoder.WriteHelloAccepted(stream);
        FrameEncoder.WriteMessage(stream, new Client.Messaging.Ledger.MessageId(0x0123_4567_89AB_CDEF), 1, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), "hello"u8);
        FrameEncoder.WriteAck(stream, 1);
        FrameEncoder.WriteRefused(stream, RefusalReason.Blocked);
        yield return stream.WrittenSpan.ToArray();
        yield return [0, 0, 0, 1];
        yield return [0xFF, 0xFF, 0xFF, 0xFF, 1];
    }
}
