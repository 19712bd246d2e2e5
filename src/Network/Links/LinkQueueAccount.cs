using HiddenPoint.Network.Circuits;

namespace HiddenPoint.Network.Links;

/// <summary>
/// The cells every link of one <see cref="LinkRuntime"/> holds for writing: waiting in its outbound queue, or held by
/// a sender waiting for room in it. A relay's memory limit reads it beside the <see cref="CircuitQueueAccount"/>: a
/// peer that stops reading leaves up to <see cref="LinkOptions.OutboundQueueCapacity"/> cells per link waiting until
/// <see cref="LinkOptions.WriteStallTimeout"/>. One interlocked counter: queueing a cell costs one atomic add and
/// allocates nothing.
/// </summary>
public sealed class LinkQueueAccount
{
    private long _cells;

    /// <summary>Cells the runtime's links hold for writing now.</summary>
    public long Cells => Volatile.Read(ref _cells);

    /// <summary><see cref="Cells"/> in bytes (<see cref="CircuitQueueAccount.BytesPerCell"/> each).</summary>
    public long Bytes => Cells * CircuitQueueAccount.BytesPerCell;

    internal void Add(int cells) => Interlocked.Add(ref _cells, cells);
}
