using System.Buffers;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

public class CellTests
{
    private static readonly CircuitId s_fromInitiator = new(0x8000_0042);

    private static byte[] MakeCell(CircuitId? id, CellCommand command, Action<byte[]> fillBody)
    {
        var cell = new byte[Cell.Length];
        var body = new byte[Cell.BodyLength];
        fillBody(body);
        body.CopyTo(Cell.WriteHeader(cell, id, command));
        return cell;
    }

    private static byte[] RawCell(uint circuitId, byte command)
    {
        var cell = new byte[Cell.Length];
        cell[0] = (byte)(circuitId >> 24);
        cell[1] = (byte)(circuitId >> 16);
        cell[2] = (byte)(circuitId >> 8);
        cell[3] = (byte)circuitId;
        cell[4] = command;
        return cell;
    }

    [Fact]
    public void Layout_is_514_bytes_with_body_at_5() =>
        Assert.Equal((514, 4, 5, 509), (Cell.Length, Cell.CommandOffset, Cell.BodyOffset, Cell.BodyLength));

    [Fact]
    public void Circuit_id_is_never_zero_and_high_bit_marks_the_initiator()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitId(0));
        Assert.False(CircuitId.TryCreate(0, out _));
        Assert.True(CircuitId.TryCreateFor(LinkSide.Initiator, 5, out var mine));
        Assert.Equal(0x8000_0005u, mine.Value);
        Assert.True(mine.IsAllocatedBy(LinkSide.Initiator));
        Assert.True(CircuitId.TryCreateFor(LinkSide.Responder, 0x8000_0005, out var theirs));
        Assert.Equal(5u, theirs.Value);
        Assert.False(theirs.HasHighBit);
        Assert.False(CircuitId.TryCreateFor(LinkSide.Responder, 0x8000_0000, out _));
    }

    [Fact]
    public void Create2_round_trips_with_big_endian_header()
    {
        var create = new Create2Body(HandshakeType.NtorV3, Samples.Bytes(200, 1));
        var cell = MakeCell(s_fromInitiator, CellCommand.Create2, b => create.Encode(b));
        Assert.Equal([0x80, 0x00, 0x00, 0x42, 10, 0x00, 0x03, 0x00, 200], cell[..9]);

        Assert.True(Cell.TryDecode(cell, LinkSide.Responder, out var header, out var body, out var error), error.ToString());
        Assert.Equal(new CellHeader(s_fromInitiator, CellCommand.Create2), header);
        Assert.True(Create2Body.TryDecode(body, out var decoded, out error), error.ToString());
        Assert.Equal(HandshakeType.NtorV3, decoded.HandshakeType);
        Assert.Equal(Samples.Bytes(200, 1), decoded.HandshakeData.ToArray());
    }

    [Fact]
    public void Created2_destroy_padding_relay_round_trip()
    {
        var created = new Created2Body(Samples.Bytes(Created2Body.MaxHandshakeLength, 7));
        var cell = MakeCell(s_fromInitiator, CellCommand.Created2, b => created.Encode(b));
        Assert.True(Cell.TryDecode(cell, LinkSide.Initiator, out var header, out var body, out _));
        Assert.Equal(CellCommand.Created2, header.Command);
        Assert.True(Created2Body.TryDecode(body, out var decodedCreated, out _));
        Assert.Equal(created.HandshakeData.ToArray(), decodedCreated.HandshakeData.ToArray());

        cell = MakeCell(s_fromInitiator, CellCommand.Destroy, b => DestroyBody.Encode(DestroyReason.Finished, b));
        Assert.True(Cell.TryDecode(cell, LinkSide.Initiator, out header, out body, out _));
        Assert.True(DestroyBody.TryDecode(body, out var reason, out _));
        Assert.Equal((CellCommand.Destroy, DestroyReason.Finished), (header.Command, reason));

        cell = MakeCell(null, CellCommand.Padding, b => PaddingBody.Encode(b));
        Assert.True(Cell.TryDecode(cell, LinkSide.Initiator, out header, out _, out _));
        Assert.Equal(new CellHeader(null, CellCommand.Padding), header);

        foreach (var command in new[] { CellCommand.Relay, CellCommand.RelayEarly })
        {
            cell = MakeCell(new CircuitId(9), command, b => b.AsSpan().Fill(0xEE));
            Assert.True(Cell.TryDecode(cell, LinkSide.Responder, out header, out body, out _));
            Assert.Equal(new CellHeader(new CircuitId(9), command), header);
            Assert.True(body.IndexOfAnyExcept((byte)0xEE) < 0);
        }
    }

    [Theory]
    [InlineData(CellCommand.Relay)]
    [InlineData(CellCommand.RelayEarly)]
    [InlineData(CellCommand.Destroy)]
    [InlineData(CellCommand.Create2)]
    [InlineData(CellCommand.Created2)]
    public void Zero_circuit_id_where_required_is_rejected_at_offset_0(CellCommand command)
    {
        Assert.False(Cell.TryDecode(RawCell(0, (byte)command), LinkSide.Responder, out _, out _, out var error));
        Assert.Equal((DecodeErrorKind.ZeroCircuitId, 0), (error.Kind, error.Offset));
    }

    [Fact]
    public void Circuit_id_on_padding_is_rejected_at_offset_0()
    {
        Assert.False(Cell.TryDecode(RawCell(1, 0), LinkSide.Responder, out _, out _, out var error));
        Assert.Equal((DecodeErrorKind.UnexpectedCircuitId, 0), (error.Kind, error.Offset));
    }

    [Theory]
    [InlineData(1)] // CREATE: replaced by CREATE2
    [InlineData(7)] // VERSIONS: the Noise handshake's job
    [InlineData(8)] // NETINFO
    [InlineData(128)] // VPADDING
    [InlineData(255)]
    public void Unknown_cell_command_is_rejected_at_offset_4(byte command)
    {
        Assert.False(Cell.TryDecode(RawCell(1, command), LinkSide.Responder, out _, out _, out var error));
        Assert.Equal((DecodeErrorKind.UnknownCommand, 4), (error.Kind, error.Offset));
    }

    [Fact]
    public void Create2_with_the_receivers_own_id_space_is_rejected()
    {
        // The responder receives CREATE2 from the initiator, whose ids carry the top bit.
        Assert.False(Cell.TryDecode(RawCell(0x42, 10), LinkSide.Responder, out _, out _, out var error));
        Assert.Equal((DecodeErrorKind.WrongCircuitIdSide, 0), (error.Kind, error.Offset));
        Assert.False(Cell.TryDecode(RawCell(0x8000_0042, 10), LinkSide.Initiator, out _, out _, out error));
        Assert.Equal(DecodeErrorKind.WrongCircuitIdSide, error.Kind);
        Assert.True(Cell.TryDecode(RawCell(0x42, 10), LinkSide.Initiator, out _, out _, out _));
    }

    [Fact]
    public void Create2_with_handshake_length_past_the_body_is_bad_length_at_2()
    {
        var body = new byte[Cell.BodyLength];
        body[1] = 3;
        body[2] = 0x01;
        body[3] = 0xFE; // 510 > 505
        Assert.False(Create2Body.TryDecode(body, out _, out var error));
        Assert.Equal((DecodeErrorKind.BadLength, 2), (error.Kind, error.Offset));
    }

    [Fact]
    public void Create2_and_created2_bodies_longer_than_a_cell_are_bad_length_not_a_throw()
    {
        // Found by the extend2 fuzz harness: a span longer than 509 bytes could announce handshake data the
        // constructors refuse (over 505 or 507 bytes), and the constructor's ArgumentException escaped the decoder.
        var create2 = new byte[Cell.BodyLength + 10];
        create2[1] = 3;
        create2[2] = 0x01;
        create2[3] = 0xFA; // 506 > 505, yet inside the span
        Assert.False(Create2Body.TryDecode(create2, out _, out var error));
        Assert.Equal((DecodeErrorKind.BadLength, Cell.BodyLength), (error.Kind, error.Offset));

        var created2 = new byte[Cell.BodyLength + 10];
        created2[0] = 0x01;
        created2[1] = 0xFC; // 508 > 507
        Assert.False(Created2Body.TryDecode(created2, out _, out error));
        Assert.Equal((DecodeErrorKind.BadLength, Cell.BodyLength), (error.Kind, error.Offset));
    }

    [Fact]
    public void Cell_body_padding_must_be_zero()
    {
        var body = new byte[Cell.BodyLength];
        new Create2Body(HandshakeType.NtorV3, [1, 2, 3]).Encode(body);
        body[100] = 1;
        Assert.False(Create2Body.TryDecode(body, out _, out var error));
        Assert.Equal((DecodeErrorKind.NonZeroPadding, 100), (error.Kind, error.Offset));

        body = new byte[Cell.BodyLength];
        DestroyBody.Encode(DestroyReason.Protocol, body);
        body[508] = 1;
        Assert.False(DestroyBody.TryDecode(body, out _, out error));
        Assert.Equal((DecodeErrorKind.NonZeroPadding, 508), (error.Kind, error.Offset));

        body = new byte[Cell.BodyLength];
        body[0] = 0x01;
        body[1] = 0xFE; // 510 > 507
        Assert.False(Created2Body.TryDecode(body, out _, out error));
        Assert.Equal((DecodeErrorKind.BadLength, 0), (error.Kind, error.Offset));
    }

    [Fact]
    public void Write_header_refuses_id_presence_against_the_command()
    {
        var cell = new byte[Cell.Length];
        Assert.Throws<ArgumentException>(() => Cell.WriteHeader(cell, null, CellCommand.Relay));
        Assert.Throws<ArgumentException>(() => Cell.WriteHeader(cell, new CircuitId(1), CellCommand.Padding));
        Assert.Throws<ArgumentException>(() => Cell.WriteHeader(cell, new CircuitId(1), (CellCommand)7));
        Assert.Throws<ArgumentException>(() => new Create2Body(HandshakeType.NtorV3, new byte[506]));
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

    [Fact]
    public void Stream_framing_needs_more_then_takes_cells_across_segments()
    {
        var first = MakeCell(new CircuitId(5), CellCommand.Destroy, b => DestroyBody.Encode(DestroyReason.Requested, b));
        var second = RawCell(0, 7); // unknown command
        var all = first.Concat(second).ToArray();

        // Split unevenly into three segments: 100 | 500 | rest.
        var head = new Segment(all.AsMemory(0, 100), 0);
        var tail = head.Append(all.AsMemory(100, 500)).Append(all.AsMemory(600));
        var input = new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
        var buffer = new byte[Cell.Length];

        var partial = input.Slice(0, 513);
        Assert.Equal(CellDecodeStatus.NeedMore, Cell.TryRead(ref partial, buffer, LinkSide.Initiator, out _, out var error));
        Assert.Equal(513, partial.Length);
        Assert.False(error.IsError);

        Assert.Equal(CellDecodeStatus.Complete, Cell.TryRead(ref input, buffer, LinkSide.Initiator, out var header, out _));
        Assert.Equal(new CellHeader(new CircuitId(5), CellCommand.Destroy), header);
        Assert.Equal(first, buffer);
        Assert.Equal(Cell.Length, input.Length);

        Assert.Equal(CellDecodeStatus.Malformed, Cell.TryRead(ref input, buffer, LinkSide.Initiator, out _, out error));
        Assert.Equal((DecodeErrorKind.UnknownCommand, 4), (error.Kind, error.Offset));
        Assert.Equal(0, input.Length);
        Assert.Equal(CellDecodeStatus.NeedMore, Cell.TryRead(ref input, buffer, LinkSide.Initiator, out _, out _));
    }
}

public class LinkStateTests
{
    [Fact]
    public void Client_link_refuses_create2_and_relay_early_at_offset_4()
    {
        Assert.False(LinkStates.ClientFromRelay.Check(CellCommand.Create2, out var error));
        Assert.Equal((DecodeErrorKind.CommandNotAllowed, 4), (error.Kind, error.Offset));
        Assert.False(LinkStates.ClientFromRelay.Contains(CellCommand.RelayEarly));
        Assert.True(LinkStates.ClientFromRelay.Check(CellCommand.Created2, out _));
        Assert.False(LinkStates.RelayFromClient.Contains(CellCommand.Created2));
        Assert.True(LinkStates.RelayFromRelay.Contains(CellCommand.Created2));
        Assert.False(LinkStates.RelayFromRelay.Contains((CellCommand)200));
        Assert.Throws<ArgumentOutOfRangeException>(() => CellCommandSet.Of((CellCommand)64));
    }
}
