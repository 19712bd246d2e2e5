using System.Buffers;
using System.Buffers.Binary;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Cells;

/// <summary>The outcome of trying to take one cell from a byte stream.</summary>
public enum CellDecodeStatus : byte
{
    /// <summary>A whole, well-formed cell was taken.</summary>
    Complete = 1,

    /// <summary>Fewer than <see cref="Cell.Length"/> bytes are buffered; nothing was consumed.</summary>
    NeedMore = 2,

    /// <summary>A whole cell was present but it is malformed; the link should be closed.</summary>
    Malformed = 3,
}

/// <summary>The header of a decoded cell: its circuit id (absent for link-level commands) and its command.</summary>
/// <param name="CircuitId">The circuit, or null for commands whose <see cref="CircuitIdRule"/> is Forbidden.</param>
/// <param name="Command">The cell command (always a known one once decoded).</param>
public readonly record struct CellHeader(CircuitId? CircuitId, CellCommand Command);

/// <summary>
/// The fixed-size cell: circuit id (4, big-endian) · command (1) · body (509), 514 bytes in all.
/// After the Noise handshake every link frame seals exactly one such cell.
/// </summary>
public static class Cell
{
    /// <summary>Length of the circuit id field.</summary>
    public const int CircuitIdLength = 4;

    /// <summary>Offset of the command byte.</summary>
    public const int CommandOffset = CircuitIdLength;

    /// <summary>Offset of the body.</summary>
    public const int BodyOffset = CommandOffset + 1; // circuit id, command

    /// <summary>Length of the body; kept at Tor's 509 so that relay message sizes match Tor's.</summary>
    public const int BodyLength = 509;

    /// <summary>Length of a whole cell.</summary>
    public const int Length = BodyOffset + BodyLength;

    /// <summary>
    /// Checks the header of one whole cell. <paramref name="cell"/> must be exactly <see cref="Length"/> bytes
    /// (a shorter span is a caller bug, not input). On success <paramref name="body"/> views the 509-byte body.
    /// </summary>
    /// <param name="cell">The 514 bytes of the cell.</param>
    /// <param name="receiver">This party's side of the link, which decides which circuit ids a CREATE2 may carry.</param>
    /// <param name="header">The decoded header.</param>
    /// <param name="body">The body, a view into <paramref name="cell"/>.</param>
    /// <param name="error">The reason for a false return.</param>
    public static bool TryDecode(
        ReadOnlySpan<byte> cell,
        LinkSide receiver,
        out CellHeader header,
        out ReadOnlySpan<byte> body,
        out DecodeError error)
    {
        if (cell.Length != Length)
        {
            throw new ArgumentException("A cell is exactly 514 bytes.", nameof(cell));
        }

        header = default;
        body = default;
        var rawId = BinaryPrimitives.ReadUInt32BigEndian(cell);
        var command = (CellCommand)cell[CommandOffset];
        if (!CellCommands.TryGetCircuitIdRule(command, out var rule))
        {
            error = new DecodeError(DecodeErrorKind.UnknownCommand, CommandOffset, "unknown cell command");
            return false;
        }

        CircuitId? circuitId = null;
        if (rule == CircuitIdRule.Forbidden)
        {
            if (rawId != 0)
            {
                error = new DecodeError(DecodeErrorKind.UnexpectedCircuitId, 0, "command must not carry a circuit id");
                return false;
            }
        }
        else
        {
            if (!CircuitId.TryCreate(rawId, out var id))
            {
                error = new DecodeError(DecodeErrorKind.ZeroCircuitId, 0, "command needs a non-zero circuit id");
                return false;
            }

            // A new circuit's id is allocated by the sender, i.e. by the other side of the link.
            var sender = receiver == LinkSide.Initiator ? LinkSide.Responder : LinkSide.Initiator;
            if (command == CellCommand.Create2 && !id.IsAllocatedBy(sender))
            {
                error = new DecodeError(DecodeErrorKind.WrongCircuitIdSide, 0, "circuit id top bit belongs to the other side");
                return false;
            }

            circuitId = id;
        }

        header = new CellHeader(circuitId, command);
        body = cell.Slice(BodyOffset, BodyLength);
        error = default;
        return true;
    }

    /// <summary>
    /// Takes one cell from the front of <paramref name="input"/> (for a link's read loop). On
    /// <see cref="CellDecodeStatus.NeedMore"/> nothing is consumed; otherwise the 514 bytes are copied into
    /// <paramref name="cellBuffer"/> and <paramref name="input"/> is advanced past them, so a caller that keeps
    /// the link open after a malformed cell stays in step.
    /// </summary>
    public static CellDecodeStatus TryRead(
        ref ReadOnlySequence<byte> input,
        Span<byte> cellBuffer,
        LinkSide receiver,
        out CellHeader header,
        out DecodeError error)
    {
        if (cellBuffer.Length < Length)
        {
            throw new ArgumentException("The cell buffer must hold 514 bytes.", nameof(cellBuffer));
        }

        if (input.Length < Length)
        {
            header = default;
            error = default;
            return CellDecodeStatus.NeedMore;
        }

        var cell = cellBuffer[..Length];
        var whole = input.Slice(0, Length);
        whole.CopyTo(cell);
        input = input.Slice(whole.End);
        return TryDecode(cell, receiver, out header, out _, out error) ? CellDecodeStatus.Complete : CellDecodeStatus.Malformed;
    }

    /// <summary>
    /// Writes a cell header into <paramref name="destination"/> (514 bytes) and returns the body for the caller
    /// to fill. The circuit id must be present exactly when the command requires it (checked: caller misuse throws).
    /// </summary>
    public static Span<byte> WriteHeader(Span<byte> destination, CircuitId? circuitId, CellCommand command)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException("A cell is exactly 514 bytes.", nameof(destination));
        }

        if (!CellCommands.TryGetCircuitIdRule(command, out var rule))
        {
            throw new ArgumentException("Unknown cell command.", nameof(command));
        }

        if ((rule == CircuitIdRule.Required) != circuitId.HasValue)
        {
            throw new ArgumentException("Circuit id presence does not match the command.", nameof(circuitId));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, circuitId?.Value ?? 0);
        destination[CommandOffset] = (byte)command;
        return destination.Slice(BodyOffset, BodyLength);
    }
}
