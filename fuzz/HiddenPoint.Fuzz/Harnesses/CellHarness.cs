using System.Buffers;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Link framing (FZ-01): a byte stream cut into 514-byte cells by <see cref="Cell.TryRead"/>, each header checked for
/// the receiving side named by the first input byte, and the bodies of CREATE2, CREATED2 and DESTROY decoded (and
/// round-tripped). HiddenPoint has no variable-length cells: after the Noise handshake every frame is one fixed cell.
/// </summary>
internal sealed class CellHarness : Harness
{
    public override string Name => "cell";

    public override string Description => "link framing: fixed 514-byte cells from a byte stream, headers and CREATE2/CREATED2/DESTROY bodies";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var receiver = (input[0] & 1) == 0 ? LinkSide.Initiator : LinkSide.Responder;
        var sequence = new ReadOnlySequence<byte>(input[1..].ToArray());
        var cell = new byte[Cell.Length];
        var body = new byte[Cell.BodyLength];
        while (true)
        {
            var status = Cell.TryRead(ref sequence, cell, receiver, out var header, out _);
            if (status == CellDecodeStatus.NeedMore)
            {
                return;
            }

            if (status == CellDecodeStatus.Complete)
            {
                DecodeBody(header.Command, cell.AsSpan(Cell.BodyOffset), body);
            }
        }
    }

    private static void DecodeBody(CellCommand command, ReadOnlySpan<byte> cellBody, byte[] scratch)
    {
        switch (command)
        {
            case CellCommand.Create2:
                if (Create2Body.TryDecode(cellBody, out var create2, out _))
                {
                    create2.Encode(scratch);
                    CheckAccepted(Create2Body.TryDecode(scratch, out var again, out _), "CREATE2");
                    CheckSame(create2.HandshakeData, again.HandshakeData, "CREATE2");
                    CheckSame([(byte)create2.HandshakeType, (byte)((ushort)create2.HandshakeType >> 8)], [(byte)again.HandshakeType, (byte)((ushort)again.HandshakeType >> 8)], "CREATE2 type");
                }

                break;
            case CellCommand.Created2:
                if (Created2Body.TryDecode(cellBody, out var created2, out _))
                {
                    created2.Encode(scratch);
                    CheckAccepted(Created2Body.TryDecode(scratch, out var again, out _), "CREATED2");
                    CheckSame(created2.HandshakeData, again.HandshakeData, "CREATED2");
                }

                break;
            case CellCommand.Destroy:
                if (DestroyBody.TryDecode(cellBody, out var reason, out _))
                {
                    DestroyBody.Encode(reason, scratch);
                    CheckAccepted(DestroyBody.TryDecode(scratch, out var again, out _) && again == reason, "DESTROY");
                }

                break;
            case CellCommand.Relay or CellCommand.RelayEarly:
                // On the wire the body is encrypted; parsing it raw still exercises the v1 header reader.
                _ = RelayCell.TryParse(cellBody, out _, out _);
                break;
            default:
                break;
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return Stream(0, Cells.Create2());
        yield return Stream(1, Cells.Created2());
        yield return Stream(0, Cells.Destroy(), Cells.Padding());
        yield return Stream(1, Cells.Relay(), Cells.Padding(), Cells.Create2());
        yield return [0];
        yield return Stream(0, new byte[Cell.Length - 1]);
    }

    private static byte[] Stream(byte side, params byte[][] cells)
    {
        var all = new List<byte> { side };
        foreach (var cell in cells)
        {
            all.AddRange(cell);
        }

        return [.. all];
    }
}
