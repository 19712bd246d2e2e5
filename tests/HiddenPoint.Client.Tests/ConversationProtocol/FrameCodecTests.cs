using System.Buffers;
using System.Buffers.Binary;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Client.Tests.ConversationProtocol;

public sealed class FrameCodecTests
{
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);

    [Fact]
    public void Every_frame_round_trips()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var binding = new byte[32];
        var signature = HelloProof.Sign(identity, binding);
        var id = MessageId.NewRandom();
        var writer = new ArrayBufferWriter<byte>();
        FrameEncoder.WriteHello(writer, identity.PublicKey, signature);
        FrameEncoder.WriteHelloAccepted(writer);
        FrameEncoder.WriteRefused(writer, RefusalReason.RequestRateLimited);
        FrameEncoder.WriteMessage(writer, id, 7, SentAt, "héllo"u8);
        FrameEncoder.WriteAck(writer, 41);

        var frames = DecodeAll(writer.WrittenSpan);

        var hello = Assert.IsType<HelloFrame>(frames[0]);
        Assert.Equal(identity.PublicKey, hello.IdentityKey);
        Assert.True(HelloProof.Verify(hello, binding));
        Assert.Equal(ConversationLimits.Version, Assert.IsType<HelloAcceptedFrame>(frames[1]).Version);
        Assert.Equal(RefusalReason.RequestRateLimited, Assert.IsType<RefusedFrame>(frames[2]).Reason);
        var message = Assert.IsType<MessageFrame>(frames[3]);
        Assert.Equal((id, 7ul, SentAt), (message.Id, message.Sequence, message.SentAt));
        Assert.Equal("héllo"u8.ToArray(), message.Body.ToArray());
        Assert.Equal(41ul, Assert.IsType<AckFrame>(frames[4]).Through);
    }

    [Fact]
    public void The_message_layout_is_the_documented_one()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameEncoder.WriteMessage(writer, new MessageId(UInt128.Parse("0102030405060708090a0b0c0d0e0f10", System.Globalization.NumberStyles.HexNumber, null)), 2, DateTimeOffset.FromUnixTimeMilliseconds(3), "hi"u8);

        Assert.Equal(
            "00000023" + "04" + "0102030405060708090a0b0c0d0e0f10" + "0000000000000002" + "0000000000000003" + "6869",
            Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void Each_prefix_of_a_frame_needs_more()
    {
        var frame = Message(100);
        for (var length = 0; length < frame.Length; length++)
        {
            Assert.Equal(FrameReadStatus.NeedMore, FrameDecoder.TryDecode(frame.AsSpan(0, length), out _, out _, out var error));
            Assert.False(error.IsError);
        }
    }

    [Fact]
    public void A_frame_split_across_segments_decodes()
    {
        var frame = Message(3000);
        var sequence = Segments(frame, 7);
        Assert.Equal(FrameReadStatus.Frame, FrameDecoder.TryRead(ref sequence, out var decoded, out _));
        Assert.Equal(3000, Assert.IsType<MessageFrame>(decoded).Body.Length);
        Assert.Equal(0, sequence.Length);
    }

    [Fact]
    public void A_frame_arriving_in_pieces_needs_more_until_its_last_byte_and_a_bad_header_in_pieces_is_refused()
    {
        var frame = Message(500);
        for (var length = 2; length < frame.Length; length += 37)
        {
            var partial = Segments(frame[..length], 2);
            Assert.Equal(FrameReadStatus.NeedMore, FrameDecoder.TryRead(ref partial, out _, out var error));
            Assert.False(error.IsError);
            Assert.Equal(length, partial.Length);
        }

        var twoFrames = Segments([.. frame, .. frame], 5);
        Assert.Equal(FrameReadStatus.Frame, FrameDecoder.TryRead(ref twoFrames, out _, out _));
        Assert.Equal(FrameReadStatus.Frame, FrameDecoder.TryRead(ref twoFrames, out _, out _));
        Assert.Equal(0, twoFrames.Length);

        var oversized = Segments([0x00, 0x01, 0x00, 0x00, 0x04], 3);
        Assert.Equal(FrameReadStatus.Malformed, FrameDecoder.TryRead(ref oversized, out _, out var tooLong));
        Assert.Equal(DecodeErrorKind.BadLength, tooLong.Kind);
        var unknown = Segments([0x00, 0x00, 0x00, 0x09, 0x63, 0x00], 3);
        Assert.Equal(FrameReadStatus.Malformed, FrameDecoder.TryRead(ref unknown, out _, out var badType));
        Assert.Equal((DecodeErrorKind.UnknownCommand, 4), (badType.Kind, badType.Offset));
    }

    [Fact]
    public void A_declared_length_beyond_the_largest_frame_is_refused_before_the_body_arrives()
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header, ConversationLimits.MaxFrameLength + 1);
        header[4] = (byte)FrameType.Message;

        AssertMalformed(header, DecodeErrorKind.BadLength, 0);
        AssertMalformed(header.AsSpan(0, 4), DecodeErrorKind.BadLength, 0);
    }

    [Fact]
    public void The_largest_body_is_accepted_and_one_byte_more_is_refused()
    {
        Assert.Equal(FrameReadStatus.Frame, FrameDecoder.TryDecode(Message(ConversationLimits.MaxBodyLength), out _, out _, out _));

        var tooLong = Message(ConversationLimits.MaxBodyLength + 1, checkBody: false);
        AssertMalformed(tooLong, DecodeErrorKind.BadLength, 0);
        Assert.Throws<ArgumentException>(() => FrameEncoder.WriteMessage(new ArrayBufferWriter<byte>(), MessageId.NewRandom(), 1, SentAt, new byte[ConversationLimits.MaxBodyLength + 1]));
    }

    [Fact]
    public void A_zero_length_is_refused() => AssertMalformed([0, 0, 0, 0], DecodeErrorKind.BadLength, 0);

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(255)]
    public void An_unknown_type_is_refused_as_soon_as_its_byte_arrives(byte type) =>
        AssertMalformed([0, 0, 0, 9, type], DecodeErrorKind.UnknownCommand, 4);

    [Fact]
    public void Trailing_bytes_in_a_fixed_size_frame_are_refused()
    {
        var ack = Frame(FrameType.Ack, new byte[9]);
        AssertMalformed(ack, DecodeErrorKind.TrailingBytes, 13);
        var accepted = Frame(FrameType.HelloAccepted, [0, 1, 0]);
        AssertMalformed(accepted, DecodeErrorKind.TrailingBytes, 7);
        var refused = Frame(FrameType.Refused, [1, 0]);
        AssertMalformed(refused, DecodeErrorKind.TrailingBytes, 6);
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var hello = HelloPayload(identity.PublicKey.Bytes, 1);
        AssertMalformed(Frame(FrameType.Hello, [.. hello, 0]), DecodeErrorKind.TrailingBytes, 5 + 98);
    }

    [Fact]
    public void Truncated_payloads_are_refused()
    {
        AssertMalformed(Frame(FrameType.Ack, new byte[7]), DecodeErrorKind.Truncated, 5);
        AssertMalformed(Frame(FrameType.Message, new byte[31]), DecodeErrorKind.Truncated, 5 + 24);
        AssertMalformed(Frame(FrameType.HelloAccepted, [0]), DecodeErrorKind.Truncated, 5);
        AssertMalformed(Frame(FrameType.Refused, []), DecodeErrorKind.Truncated, 5);
        using var identity = HiddenPointIdentitySecretKey.Generate();
        AssertMalformed(Frame(FrameType.Hello, HelloPayload(identity.PublicKey.Bytes, 1)[..97]), DecodeErrorKind.Truncated, 5 + 2 + 32);
    }

    [Fact]
    public void Bad_values_are_refused()
    {
        AssertMalformed(Frame(FrameType.Refused, [9]), DecodeErrorKind.BadValue, 5);
        AssertMalformed(Frame(FrameType.Refused, [0]), DecodeErrorKind.BadValue, 5);
        var zeroSequence = new byte[32];
        AssertMalformed(Frame(FrameType.Message, zeroSequence), DecodeErrorKind.BadValue, 21);
        var negativeTime = new byte[32];
        negativeTime[23] = 1;
        negativeTime[24] = 0x80;
        AssertMalformed(Frame(FrameType.Message, negativeTime), DecodeErrorKind.BadValue, 29);
    }

    [Theory]
    [InlineData("ff", 0)]
    [InlineData("61c3", 1)]
    [InlineData("6162eda080", 2)] // an encoded surrogate
    [InlineData("c0af", 0)] // an overlong encoding
    public void A_body_that_is_not_UTF8_is_refused_at_the_first_bad_byte(string bodyHex, int badAt)
    {
        var payload = new byte[32 + (bodyHex.Length / 2)];
        payload[23] = 1;
        Convert.FromHexString(bodyHex).CopyTo(payload, 32);
        AssertMalformed(Frame(FrameType.Message, payload), DecodeErrorKind.BadValue, 5 + 32 + badAt);
        Assert.Throws<ArgumentException>(() => FrameEncoder.WriteMessage(new ArrayBufferWriter<byte>(), MessageId.NewRandom(), 1, SentAt, Convert.FromHexString(bodyHex)));
    }

    [Fact]
    public void A_hello_of_another_version_or_with_a_bad_key_is_refused()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        AssertMalformed(Frame(FrameType.Hello, HelloPayload(identity.PublicKey.Bytes, 2)), DecodeErrorKind.UnsupportedVersion, 5);
        AssertMalformed(Frame(FrameType.HelloAccepted, [0, 2]), DecodeErrorKind.UnsupportedVersion, 5);

        // The identity element (y = 1) is a valid encoding but of small order.
        var smallOrder = new byte[32];
        smallOrder[0] = 1;
        AssertMalformed(Frame(FrameType.Hello, HelloPayload(smallOrder, 1)), DecodeErrorKind.BadValue, 7);
    }

    [Fact]
    public void A_proof_verifies_only_for_its_own_binding_and_key()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var other = HiddenPointIdentitySecretKey.Generate();
        var binding = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var signature = HelloProof.Sign(identity, binding);

        Assert.True(HelloProof.Verify(new HelloFrame(1, identity.PublicKey, signature), binding));
        var otherBinding = (byte[])binding.Clone();
        otherBinding[31] ^= 1;
        Assert.False(HelloProof.Verify(new HelloFrame(1, identity.PublicKey, signature), otherBinding));
        Assert.False(HelloProof.Verify(new HelloFrame(1, other.PublicKey, signature), binding));
        Assert.Throws<ArgumentException>(() => HelloProof.Sign(identity, new byte[31]));
    }

    [Fact]
    public void The_hello_signs_exactly_the_documented_54_bytes()
    {
        using var identity = HiddenPointIdentitySecretKey.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
        var binding = Enumerable.Range(0, 32).Select(i => (byte)(0xa0 + i)).ToArray();
        var signature = HelloProof.Sign(identity, binding);

        byte[] documented = [.. System.Text.Encoding.ASCII.GetBytes("hpc messaging hello v1"), .. binding];
        Assert.Equal(54, documented.Length);
        Assert.True(identity.PublicKey.Key.Verify(documented, signature));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(14);
        var input = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(input);
            input[0] = 0;
            input[1] = 0;
            input[4] = (byte)random.Next(0, 7);
            var status = FrameDecoder.TryDecode(input.AsSpan(0, random.Next(0, 64)), out var frame, out _, out var error);
            Assert.Equal(status == FrameReadStatus.Malformed, error.IsError);
            Assert.Equal(status == FrameReadStatus.Frame, frame is not null);
        }
    }

    private static void AssertMalformed(ReadOnlySpan<byte> input, DecodeErrorKind kind, int offset)
    {
        Assert.Equal(FrameReadStatus.Malformed, FrameDecoder.TryDecode(input, out var frame, out _, out var error));
        Assert.Null(frame);
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    private static byte[] Frame(FrameType type, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(1 + payload.Length));
        frame[4] = (byte)type;
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] HelloPayload(ReadOnlySpan<byte> key, ushort version)
    {
        var payload = new byte[98];
        BinaryPrimitives.WriteUInt16BigEndian(payload, version);
        key.CopyTo(payload.AsSpan(2));
        return payload;
    }

    private static byte[] Message(int bodyLength, bool checkBody = true)
    {
        if (checkBody)
        {
            var writer = new ArrayBufferWriter<byte>();
            FrameEncoder.WriteMessage(writer, MessageId.NewRandom(), 1, SentAt, Enumerable.Repeat((byte)'a', bodyLength).ToArray());
            return writer.WrittenSpan.ToArray();
        }

        var payload = new byte[32 + bodyLength];
        payload[23] = 1;
        payload.AsSpan(32).Fill((byte)'a');
        return Frame(FrameType.Message, payload);
    }

    private static List<ConversationFrame> DecodeAll(ReadOnlySpan<byte> input)
    {
        var frames = new List<ConversationFrame>();
        while (!input.IsEmpty)
        {
            Assert.Equal(FrameReadStatus.Frame, FrameDecoder.TryDecode(input, out var frame, out var consumed, out _));
            frames.Add(frame!);
            input = input[consumed..];
        }

        return frames;
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int pieces)
    {
        var size = (bytes.Length + pieces - 1) / pieces;
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var memory = bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
