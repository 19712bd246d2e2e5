using System.Buffers.Binary;
using System.Collections.Concurrent;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Cells;

/// <summary>
/// One 514-byte cell in a pooled buffer: how cells travel between a link and its circuits without an allocation per
/// cell. Ownership moves with the value: whoever receives a <see cref="CellBuffer"/> either passes it on or returns
/// it to its <see cref="CellPool"/> exactly once, and never touches it afterwards.
/// </summary>
public readonly struct CellBuffer
{
    private readonly byte[]? _array;

    internal CellBuffer(byte[] array) => _array = array;

    /// <summary>False for <c>default(CellBuffer)</c>.</summary>
    public bool IsValid => _array is not null;

    /// <summary>The whole cell: circuit id (4) · command (1) · body (509).</summary>
    public Span<byte> Span => _array.AsSpan(0, Cell.Length);

    /// <summary>The 509-byte body.</summary>
    public Span<byte> Body => _array.AsSpan(Cell.BodyOffset, Cell.BodyLength);

    /// <summary>The command byte.</summary>
    public CellCommand Command
    {
        get => (CellCommand)Array[Cell.CommandOffset];
        set => Array[Cell.CommandOffset] = (byte)value;
    }

    /// <summary>The raw circuit id field (zero for link-level cells).</summary>
    public uint RawCircuitId
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(Array);
        set => BinaryPrimitives.WriteUInt32BigEndian(Array, value);
    }

    internal byte[] Array => _array ?? throw new InvalidOperationException("The cell buffer is empty.");
}

/// <summary>
/// A pool of 514-byte cell buffers. Thread-safe. Buffers beyond <see cref="MaxRetained"/> are left to the garbage
/// collector, so a burst cannot pin memory for ever; in steady state renting and returning allocate nothing.
/// </summary>
public sealed class CellPool
{
    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _count;

    /// <summary>Creates a pool that keeps at most <paramref name="maxRetained"/> free buffers.</summary>
    public CellPool(int maxRetained = 16_384)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetained, 1);
        MaxRetained = maxRetained;
    }

    /// <summary>The most free buffers kept.</summary>
    public int MaxRetained { get; }

    /// <summary>Takes a buffer. Its contents are whatever its previous user left; callers overwrite all 514 bytes.</summary>
    public CellBuffer Rent()
    {
        if (_free.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _count);
            return new CellBuffer(array);
        }

        return new CellBuffer(new byte[Cell.Length]);
    }

    /// <summary>Gives a buffer back. Cleared first, because it may have held a decrypted cell.</summary>
    public void Return(CellBuffer cell)
    {
        if (!cell.IsValid)
        {
            return;
        }

        var array = cell.Array;
        System.Array.Clear(array);
        if (Interlocked.Increment(ref _count) > MaxRetained)
        {
            Interlocked.Decrement(ref _count);
            return;
        }

        _free.Enqueue(array);
    }
}
