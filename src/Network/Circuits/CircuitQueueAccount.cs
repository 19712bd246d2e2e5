using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// The cells every circuit reactor of one <see cref="Links.LinkRuntime"/> holds queued: cells from links waiting for
/// their reactor, and local messages waiting for their turn or for window. A relay's memory limit reads it to know
/// how much of its memory other people's traffic is holding. One interlocked counter: queueing a cell costs one
/// atomic add and allocates nothing.
/// </summary>
public sealed class CircuitQueueAccount
{
    /// <summary>
    /// Bytes one queued cell is counted as: the 514-byte cell buffer and its array header. The queue slot itself
    /// lives in a buffer that is reused, so it is not counted per cell.
    /// </summary>
    public const int BytesPerCell = Cell.Length + 24;

    private long _cells;

    /// <summary>Cells queued in reactors now.</summary>
    public long Cells => Volatile.Read(ref _cells);

    /// <summary><see cref="Cells"/> in bytes (<see cref="BytesPerCell"/> each).</summary>
    public long Bytes => Cells * BytesPerCell;

    internal void Add(int cells) => Interlocked.Add(ref _cells, cells);
}
