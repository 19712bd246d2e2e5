using System.Net;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

public class RelayMessageTests
{
    public static TheoryData<int> MessageIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Samples.AllMessages().Count(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Every_message_round_trips_through_a_relay_cell(int index)
    {
        var message = Samples.AllMessages().ElementAt(index);
        var body = Samples.Body(message);

        Assert.True(RelayMessage.TryDecode(body, RelayCommandSet.All, out var decoded, out var streamId, out var error), error.ToString());
        Assert.Equal(message.GetType(), decoded.GetType());
        Assert.Equal(message.Command, decoded.Command);
        Assert.Equal(Samples.StreamFor(message.Command), streamId);
        Assert.Equal(message.EncodeData(), decoded.EncodeData());
        Assert.Equal(body, Samples.Body(decoded));

        // The data-only entry point agrees, and one byte more or less is always an error.
        var data = message.EncodeData();
        Assert.True(RelayMessage.TryDecode(message.Command, data, out var again, out _));
        Assert.Equal(data, again.EncodeData());
        if (message is not DropMessage and not UnrecognizedMessage and not DataMessage and not IntroduceMessage && data.Length < RelayCell.MaxDataLength(message.Command))
        {
            Assert.False(RelayMessage.TryDecode(message.Command, [.. data, 0], out _, out error));
            Assert.True(error.IsError);
        }

        if (data.Length > 0 && message is not DropMessage and not UnrecognizedMessage and not DataMessage and not Introduce1Message)
        {
            Assert.False(RelayMessage.TryDecode(message.Command, data.AsSpan(0, data.Length - 1), out _, out error));
            Assert.True(error.IsError);
        }
    }

    [Fact]
    public void Decoded_fields_match_what_was_encoded()
    {
        var extend = (Extend2Message)Decode(new Extend2Message(Samples.Target, HandshakeType.NtorV3, [9, 8, 7]));
        Assert.Equal(Samples.Identity, extend.Target.Identity);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.3.0.1"), 9001), extend.Target.IPv4);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::1"), 9002), extend.Target.IPv6);
        Assert.Equal((LinkSpecifierType)9, Assert.Single(extend.Target.Unrecognized).Type);
        Assert.Equal(HandshakeType.NtorV3, extend.HandshakeType);
        Assert.Equal([9, 8, 7], extend.HandshakeData.ToArray());

        var intro = (EstablishIntroMessage)Decode(new EstablishIntroMessage(Samples.Bytes(32, 0x60), Samples.Extensions, Samples.Bytes(32, 0x70), Samples.Bytes(64, 0x80)));
        Assert.Equal(Samples.Bytes(32, 0x60), intro.AuthKey.ToArray());
        Assert.Equal([1, 7], intro.Extensions.Select(e => e.Type));
        Assert.Equal(3 + 32 + 1 + 4 + 2, intro.MacCoveredLength);
        Assert.Equal(intro.MacCoveredLength + 32, intro.SignatureCoveredLength);
        Assert.Equal(Samples.Bytes(32, 0x70), intro.EncodeData()[intro.MacCoveredLength..intro.SignatureCoveredLength]);

        var introduce = new Introduce1Message(Samples.Bytes(32, 0x61), null, Samples.Bytes(32, 0x71), Samples.Bytes(50, 1), Samples.Bytes(32, 0x91));
        var introduce2 = (Introduce2Message)Decode(introduce.ToIntroduce2());
        Assert.Equal(introduce.EncodeData(), introduce2.EncodeData());
        Assert.Equal(Samples.Bytes(50, 1), introduce2.EncryptedData.ToArray());
        Assert.Equal(Samples.Bytes(32, 0x91), introduce.EncodeData()[introduce.MacCoveredLength..]);

        var rendezvous1 = new Rendezvous1Message(Samples.Bytes(20, 1), Samples.Bytes(32, 2), Samples.Bytes(32, 3));
        var rendezvous2 = (Rendezvous2Message)Decode(rendezvous1.ToRendezvous2());
        Assert.Equal(rendezvous1.EncodeData()[20..], rendezvous2.EncodeData());

        var sendme = (SendmeMessage)Decode(new SendmeMessage(Samples.Bytes(16, 0x30)));
        Assert.Equal(Samples.Bytes(16, 0x30), sendme.Tag.ToArray());

        var store = (DescriptorStoreMessage)Decode(new DescriptorStoreMessage(Samples.Bytes(32, 4), 1234));
        Assert.Equal(1234, store.DescriptorLength);
        Assert.Equal(Samples.Bytes(32, 4), store.BlindedKey.ToArray());
        var begin = (BeginMessage)Decode(new BeginMessage(80, 3));
        Assert.Equal((80, 3u), (begin.Port, begin.Flags));
    }

    private static RelayMessage Decode(RelayMessage message)
    {
        Assert.True(RelayMessage.TryDecode(Samples.Body(message), RelayCommandSet.All, out var decoded, out _, out var error), error.ToString());
        return decoded;
    }

    [Fact]
    public void Sendme_cell_has_the_frozen_v1_layout()
    {
        var body = Samples.Body(new SendmeMessage(Samples.Bytes(16, 0x30)));
        var expectedHeader = Convert.FromHexString(
            "00000000000000000000000000000000" // tag position, owned by CGO
            + "05" + "0013" // SENDME, 19 bytes
            + "01" + "0010" + "303132333435363738393a3b3c3d3e3f" // version 1, 16-byte tag
            + "00000000"); // zero padding
        Assert.Equal(expectedHeader, body[..expectedHeader.Length]);
        for (var i = expectedHeader.Length; i < body.Length; i++)
        {
            Assert.Equal(unchecked((byte)(0xA0 + i - expectedHeader.Length)), body[i]);
        }
    }

    [Fact]
    public void Extend2_and_establish_intro_have_the_frozen_spec_layout()
    {
        var target = new LinkSpecifiers(Samples.Identity, new IPEndPoint(IPAddress.Parse("127.0.0.1"), 9001), null);
        var extend = new Extend2Message(target, HandshakeType.NtorV3, [0xAA, 0xBB]);
        var expected = Convert.FromHexString(
            "02" // two specifiers
            + "0006" + "7f000001" + "2329" // IPv4 127.0.0.1:9001
            + "0320" + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f" // Ed25519 identity
            + "0003" + "0002" + "aabb"); // ntor v3, two bytes
        Assert.Equal(expected, extend.EncodeData());

        var intro = new EstablishIntroMessage(Samples.Bytes(32, 0), [new Extension(1, [0x05])], Samples.Bytes(32, 0x40), Samples.Bytes(64, 0x80));
        var data = intro.EncodeData();
        Assert.Equal(Convert.FromHexString("020020"), data[..3]);
        Assert.Equal(Convert.FromHexString("01" + "0101" + "05"), data[35..39]);
        Assert.Equal(39, intro.MacCoveredLength);
        Assert.Equal(Convert.FromHexString("0040"), data[71..73]);
        Assert.Equal(73 + 64, data.Length);
    }

    [Fact]
    public void Data_cell_carries_the_stream_id_and_the_hot_path_view_does_not_copy()
    {
        var body = new byte[Cell.BodyLength];
        RelayCell.Encode(body, RelayCommand.Data, new StreamId(0x0102), [0xAA, 0xBB], new CountingPaddingSource());
        Assert.Equal(Convert.FromHexString("02" + "0002" + "0102" + "aabb" + "00000000" + "a0a1"), body[16..29]);

        Assert.True(RelayCell.TryParse(body, out var view, out _));
        Assert.Equal((RelayCommand.Data, new StreamId(0x0102), 21), (view.Command, view.StreamId, view.DataOffset));
        Assert.True(view.Data.Overlaps(body));
        Assert.Equal([0xAA, 0xBB], view.Data.ToArray());
        Assert.Equal(488, RelayCell.MaxDataWithStream);
        Assert.Equal(490, RelayCell.MaxDataWithoutStream);
    }

    [Fact]
    public void Full_cell_has_no_room_for_padding()
    {
        var body = new byte[Cell.BodyLength];
        RelayCell.Encode(body, RelayCommand.Drop, default, Samples.Bytes(490, 1), new CountingPaddingSource());
        Assert.Equal(Samples.Bytes(490, 1), body[19..]);
        var nearlyFull = new byte[Cell.BodyLength];
        RelayCell.Encode(nearlyFull, RelayCommand.Drop, default, Samples.Bytes(487, 1), new CountingPaddingSource());
        Assert.Equal([0, 0, 0], nearlyFull[506..]);
    }

    [Fact]
    public void Encoder_refuses_misuse()
    {
        var body = new byte[Cell.BodyLength];
        var padding = new CountingPaddingSource();
        Assert.Throws<ArgumentException>(() => RelayCell.Encode(body, RelayCommand.Data, default, [1], padding));
        Assert.Throws<ArgumentException>(() => RelayCell.Encode(body, RelayCommand.Sendme, new StreamId(1), [1], padding));
        Assert.Throws<ArgumentException>(() => RelayCell.Encode(body, RelayCommand.Data, new StreamId(1), new byte[489], padding));
        Assert.Throws<ArgumentException>(() => RelayCell.Encode(new byte[508], RelayCommand.Drop, default, [], padding));
        Assert.Throws<ArgumentException>(() => new DataMessage([]));
        Assert.Throws<ArgumentException>(() => new SendmeMessage(new byte[20]));
        Assert.Throws<ArgumentException>(() => new Extended2Message(new byte[489]));
        Assert.Throws<ArgumentException>(() => new IntroEstablishedMessage([new Extension(1, []), new Extension(1, [])]));
        Assert.Throws<ArgumentException>(() => new DirectoryResponseMessage(DirectoryStatus.NotFound, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DescriptorStoreMessage(new byte[32], 50_001));
        Assert.Throws<ArgumentException>(() => new LinkSpecifiers(Samples.Identity, null, null));
        Assert.Throws<ArgumentException>(() => new LinkSpecifiers(Samples.Identity, new IPEndPoint(IPAddress.IPv6Loopback, 1), null));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::ffff:1.2.3.4")]
    public void A_link_specifier_that_names_no_relay_address_is_a_typed_error(string text)
    {
        var address = IPAddress.Parse(text);
        var isV4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        byte[] specifiers =
        [
            2, // two specifiers
            (byte)(isV4 ? LinkSpecifierType.IPv4 : LinkSpecifierType.IPv6), (byte)(isV4 ? 6 : 18), .. address.GetAddressBytes(), 0x23, 0x29,
            (byte)LinkSpecifierType.Ed25519Id, 32, .. Samples.Identity.Key.Bytes,
        ];

        var reader = new WireReader(specifiers);
        Assert.False(LinkSpecifiers.TryDecode(ref reader, out _, out var error));
        Assert.Equal((DecodeErrorKind.BadLinkSpecifier, 1), (error.Kind, error.Offset));

        // In an EXTEND2 it is the same refusal, before anything else is read.
        byte[] extend = [.. specifiers, 0, 3, 0, 0];
        var extendReader = new WireReader(extend);
        Assert.False(Extend2Message.TryDecode(ref extendReader, out _, out error));
        Assert.Equal(DecodeErrorKind.BadLinkSpecifier, error.Kind);

        var endpoint = new IPEndPoint(address, 9001);
        Assert.Throws<ArgumentException>(() => new LinkSpecifiers(Samples.Identity, isV4 ? endpoint : null, isV4 ? null : endpoint));
    }

    [Fact]
    public void Unknown_relay_command_is_a_value_not_an_error()
    {
        var body = Samples.RawBody((RelayCommand)99, 3, null, [7, 8, 9]);
        Assert.True(RelayMessage.TryDecode(body, RelayCommandSet.All, out var message, out var streamId, out _));
        var unrecognized = Assert.IsType<UnrecognizedMessage>(message);
        Assert.Equal(((RelayCommand)99, default(StreamId)), (unrecognized.Command, streamId));
        Assert.Equal([7, 8, 9], unrecognized.Data.ToArray());
    }

    [Fact]
    public void Command_outside_the_state_set_is_not_allowed_at_offset_16()
    {
        var body = Samples.Body(new DataMessage([1]));
        Assert.False(RelayMessage.TryDecode(body, RelayStates.ClientOnIntroCircuit, out _, out _, out var error));
        Assert.Equal((DecodeErrorKind.CommandNotAllowed, 16), (error.Kind, error.Offset));

        Assert.True(RelayMessage.TryDecode(Samples.Body(new IntroduceAckMessage(IntroduceAckStatus.Success)), RelayStates.ClientOnIntroCircuit, out _, out _, out _));
        Assert.False(RelayStates.ClientOnIntroCircuit.Check((RelayCommand)99, out error));
        Assert.Equal(DecodeErrorKind.CommandNotAllowed, error.Kind);
        Assert.True(RelayStates.JoinedCircuit.Contains(RelayCommand.Begin));
        Assert.False(RelayStates.JoinedCircuit.Contains(RelayCommand.Extend2));
        Assert.True(RelayCommandSet.Of(RelayCommand.Begin, (RelayCommand)255).Contains((RelayCommand)255));
        Assert.False(RelayCommandSet.Of(RelayCommand.Begin).Contains((RelayCommand)65));
    }

    // --- Exact errors: (kind, offset) for each malformed case. Offsets are relative to the decoded span. ---

    private static DecodeError DataError(RelayCommand command, byte[] data)
    {
        Assert.False(RelayMessage.TryDecode(command, data, out var message, out var error));
        Assert.Null(message);
        return error;
    }

    private static void AssertError(DecodeErrorKind kind, int offset, DecodeError error) =>
        Assert.Equal((kind, offset), (error.Kind, error.Offset));

    [Fact]
    public void Relay_length_past_the_cell_is_bad_length_at_17()
    {
        AssertError(DecodeErrorKind.BadLength, 17, ParseError(Samples.RawBody(RelayCommand.Drop, 491, null, [])));
        AssertError(DecodeErrorKind.BadLength, 17, ParseError(Samples.RawBody(RelayCommand.Data, 489, 1, [])));
        Assert.True(RelayCell.TryParse(Samples.RawBody(RelayCommand.Data, 488, 1, []), out _, out _));
    }

    private static DecodeError ParseError(byte[] body)
    {
        Assert.False(RelayMessage.TryDecode(body, RelayCommandSet.All, out _, out _, out var error));
        return error;
    }

    [Fact]
    public void Stream_command_with_stream_zero_is_rejected_at_19()
    {
        AssertError(DecodeErrorKind.ZeroStreamId, 19, ParseError(Samples.RawBody(RelayCommand.Data, 1, 0, [1])));
    }

    [Fact]
    public void Short_messages_are_truncated_at_the_missing_field()
    {
        AssertError(DecodeErrorKind.Truncated, 0, DataError(RelayCommand.End, []));
        AssertError(DecodeErrorKind.Truncated, 2, DataError(RelayCommand.Begin, [0, 80, 0]));
        AssertError(DecodeErrorKind.Truncated, 20, DataError(RelayCommand.Rendezvous1, new byte[30]));
        AssertError(DecodeErrorKind.Truncated, 3, DataError(RelayCommand.Sendme, [1, 0, 16, 1, 2]));
        AssertError(DecodeErrorKind.BadLength, 0, DataError(RelayCommand.Data, []));
        // Inside a cell the same error is reported relative to the body: END data starts at 21.
        AssertError(DecodeErrorKind.Truncated, 21, ParseError(Samples.RawBody(RelayCommand.End, 0, 5, [])));
    }

    [Fact]
    public void Trailing_bytes_are_rejected_where_they_start()
    {
        AssertError(DecodeErrorKind.TrailingBytes, 0, DataError(RelayCommand.Connected, [0]));
        AssertError(DecodeErrorKind.TrailingBytes, 1, DataError(RelayCommand.End, [6, 0]));
        AssertError(DecodeErrorKind.TrailingBytes, 64, DataError(RelayCommand.Rendezvous2, new byte[65]));
        AssertError(DecodeErrorKind.TrailingBytes, 0, DataError(RelayCommand.RendezvousEstablished, [1]));
        AssertError(DecodeErrorKind.TrailingBytes, 21, ParseError(Samples.RawBody(RelayCommand.Connected, 1, 5, [0])));
        var sendme = new SendmeMessage(new byte[16]).EncodeData();
        AssertError(DecodeErrorKind.TrailingBytes, 19, DataError(RelayCommand.Sendme, [.. sendme, 0]));
    }

    [Fact]
    public void Bad_length_fields_are_reported_at_the_length_field()
    {
        // SENDME: data length must be 16.
        AssertError(DecodeErrorKind.BadLength, 1, DataError(RelayCommand.Sendme, [1, 0, 20, .. new byte[20]]));
        // SENDME version 0 (unauthenticated) is refused.
        AssertError(DecodeErrorKind.UnsupportedVersion, 0, DataError(RelayCommand.Sendme, [0, 0, 16, .. new byte[16]]));
        // EXTENDED2: HLEN 10 with 5 bytes.
        AssertError(DecodeErrorKind.BadLength, 0, DataError(RelayCommand.Extended2, [0, 10, 1, 2, 3, 4, 5]));
        // ESTABLISH_INTRO: auth key length 33, then auth key type 1.
        AssertError(DecodeErrorKind.BadLength, 1, DataError(RelayCommand.EstablishIntro, [2, 0, 33, .. new byte[200]]));
        AssertError(DecodeErrorKind.BadValue, 0, DataError(RelayCommand.EstablishIntro, [1, 0, 32, .. new byte[200]]));
        // ESTABLISH_INTRO: signature length 63 (after type, length, key 32, no extensions, MAC 32).
        byte[] intro = [2, 0, 32, .. new byte[32], 0, .. new byte[32], 0, 63, .. new byte[63]];
        AssertError(DecodeErrorKind.BadLength, 68, DataError(RelayCommand.EstablishIntro, intro));
        // Extension length past the message: N=1, type 5, length 9 (at 2), 2 bytes.
        AssertError(DecodeErrorKind.BadLength, 2, DataError(RelayCommand.IntroEstablished, [1, 5, 9, 0, 0]));
        AssertError(DecodeErrorKind.DuplicateExtension, 3, DataError(RelayCommand.IntroEstablished, [2, 5, 0, 5, 0]));
        // Descriptor length zero and too large; directory response body with a failure status.
        AssertError(DecodeErrorKind.BadLength, 32, DataError(RelayCommand.DescriptorStore, [.. new byte[32], 0, 0, 0, 0]));
        AssertError(DecodeErrorKind.BadLength, 32, DataError(RelayCommand.DescriptorStore, [.. new byte[32], 0, 0, 0xC3, 0x51]));
        AssertError(DecodeErrorKind.BadLength, 1, DataError(RelayCommand.DirectoryResponse, [1, 0, 0, 0, 1]));
        AssertError(DecodeErrorKind.BadLength, 1, DataError(RelayCommand.DirectoryRequest, [1, 65, .. new byte[65]]));
        AssertError(DecodeErrorKind.BadLength, 1, DataError(RelayCommand.DirectoryRequest, [1, 3, 0]));
        // Message data longer than any cell allows, through the span entry point.
        AssertError(DecodeErrorKind.BadLength, 0, DataError(RelayCommand.Data, new byte[489]));
        AssertError(DecodeErrorKind.BadLength, 0, DataError((RelayCommand)99, new byte[491]));
        // BEGIN to port zero; INTRODUCE1 with a non-zero legacy key id byte.
        AssertError(DecodeErrorKind.BadValue, 0, DataError(RelayCommand.Begin, [0, 0, 0, 0, 0, 0]));
        var introduce = new Introduce1Message(new byte[32], null, new byte[32], [1], new byte[32]).EncodeData();
        introduce[7] = 1;
        AssertError(DecodeErrorKind.BadValue, 7, DataError(RelayCommand.Introduce1, introduce));
        // INTRODUCE1 whose encrypted part cannot hold key, one byte and MAC: 20 + 3 + 32 + 1 = 56 bytes of header.
        AssertError(DecodeErrorKind.Truncated, 56 + 64, DataError(RelayCommand.Introduce1, [.. new byte[20], 2, 0, 32, .. new byte[32], 0, .. new byte[64]]));
    }

    private static byte[] Spec(LinkSpecifierType type, int length, byte fill = 1) =>
        [(byte)type, (byte)length, .. Enumerable.Repeat(fill, length)];

    private static byte[] Extend2Data(byte count, params byte[][] specs) =>
        [count, .. specs.SelectMany(s => s), 0, 3, 0, 0];

    [Fact]
    public void Link_specifier_errors_are_exact()
    {
        var ipv4 = Spec(LinkSpecifierType.IPv4, 6);
        var identity = Spec(LinkSpecifierType.Ed25519Id, 32);

        // Valid: one address and one identity.
        Assert.True(RelayMessage.TryDecode(RelayCommand.Extend2, Extend2Data(2, ipv4, identity), out _, out var error), error.ToString());

        // IPv4 of length 5 at offset 1.
        AssertError(DecodeErrorKind.BadLinkSpecifier, 1, DataError(RelayCommand.Extend2, Extend2Data(2, Spec(LinkSpecifierType.IPv4, 5), identity)));
        // IPv6 of length 16 (no port) after the identity (1 + 34 = 35).
        AssertError(DecodeErrorKind.BadLinkSpecifier, 35, DataError(RelayCommand.Extend2, Extend2Data(2, identity, Spec(LinkSpecifierType.IPv6, 16))));
        // Identity of length 31.
        AssertError(DecodeErrorKind.BadLinkSpecifier, 9, DataError(RelayCommand.Extend2, Extend2Data(2, ipv4, Spec(LinkSpecifierType.Ed25519Id, 31))));
        // Port zero.
        AssertError(DecodeErrorKind.BadLinkSpecifier, 1, DataError(RelayCommand.Extend2, Extend2Data(2, [0, 6, 1, 2, 3, 4, 0, 0], identity)));
        // Duplicate identity: second one at 1 + 8 + 34 = 43.
        AssertError(DecodeErrorKind.DuplicateLinkSpecifier, 43, DataError(RelayCommand.Extend2, Extend2Data(3, ipv4, identity, Spec(LinkSpecifierType.Ed25519Id, 32, 2))));
        // Duplicate IPv4 at 9.
        AssertError(DecodeErrorKind.DuplicateLinkSpecifier, 9, DataError(RelayCommand.Extend2, Extend2Data(3, ipv4, ipv4, identity)));
        // No identity / no address: reported at the count byte.
        AssertError(DecodeErrorKind.MissingLinkSpecifier, 0, DataError(RelayCommand.Extend2, Extend2Data(1, ipv4)));
        AssertError(DecodeErrorKind.MissingLinkSpecifier, 0, DataError(RelayCommand.Extend2, Extend2Data(2, identity, Spec(LinkSpecifierType.LegacyRsaId, 20))));
        // Specifier length past the message: length byte at offset 2.
        AssertError(DecodeErrorKind.BadLength, 2, DataError(RelayCommand.Extend2, [1, 3, 40, .. new byte[10]]));
        // Handshake length past the message: HLEN at 1 + 8 + 34 + 2 = 45.
        AssertError(DecodeErrorKind.BadLength, 45, DataError(RelayCommand.Extend2, [2, .. ipv4, .. identity, 0, 3, 0, 9, 1]));
        // Missing specifier count entirely.
        AssertError(DecodeErrorKind.Truncated, 0, DataError(RelayCommand.Extend2, []));
    }

    [Fact]
    public void Introduce_plaintext_round_trips_with_zero_padding()
    {
        var plaintext = Samples.Plaintext;
        var buffer = new byte[plaintext.UnpaddedLength + 40];
        plaintext.Encode(buffer);
        Assert.True(IntroducePlaintext.TryDecode(buffer, out var decoded, out var error), error.ToString());
        Assert.Equal(plaintext.Cookie.ToArray(), decoded.Cookie.ToArray());
        Assert.Equal(plaintext.OnionKey.ToArray(), decoded.OnionKey.ToArray());
        Assert.Equal(Samples.Identity, decoded.RendezvousPoint.Identity);
        var again = new byte[buffer.Length];
        decoded.Encode(again);
        Assert.Equal(buffer, again);

        buffer[^1] = 1;
        Assert.False(IntroducePlaintext.TryDecode(buffer, out _, out error));
        AssertError(DecodeErrorKind.NonZeroPadding, buffer.Length - 1, error);
        buffer[^1] = 0;
        var keyTypeAt = 20 + 1 + 4 + 2; // cookie, extension count, extension 1 (2+2), extension 7 (2+0)
        buffer[keyTypeAt] = 2;
        Assert.False(IntroducePlaintext.TryDecode(buffer, out _, out error));
        AssertError(DecodeErrorKind.BadValue, keyTypeAt, error);
    }
}
