using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>Valid cells made by the project's encoders, for seeds.</summary>
internal static class Cells
{
    public static byte[] Create2() => Make(new CircuitId(0x8000_0001), CellCommand.Create2, b => new Create2Body(HandshakeType.NtorV3, Samples.Bytes(120, 1)).Encode(b));

    public static byte[] Created2() => Make(new CircuitId(0x0000_0001), CellCommand.Created2, b => new Created2Body(Samples.Bytes(80, 2)).Encode(b));

    public static byte[] Destroy() => Make(new CircuitId(7), CellCommand.Destroy, b => DestroyBody.Encode(DestroyReason.Protocol, b));

    public static byte[] Padding() => Make(null, CellCommand.Padding, PaddingBody.Encode);

    public static byte[] Relay() => Make(new CircuitId(7), CellCommand.Relay, b => RelayCell.Encode(b, new DataMessage([1, 2, 3]), new StreamId(5), ZeroPadding.Instance));

    private delegate void Fill(Span<byte> body);

    private static byte[] Make(CircuitId? id, CellCommand command, Fill fill)
    {
        var cell = new byte[Cell.Length];
        fill(Cell.WriteHeader(cell, id, command));
        return cell;
    }
}
