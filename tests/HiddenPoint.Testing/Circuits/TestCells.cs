using HiddenPoint.Network.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Testing;

/// <summary>Relay cells, from a link's pool, ready to be sent through a circuit (the circuit encrypts them).</summary>
public static class TestCells
{
    /// <summary>A DATA cell on stream 1 carrying <paramref name="payload"/>.</summary>
    public static CellBuffer Data(CellPool pool, ReadOnlySpan<byte> payload) => Message(pool, RelayCommand.Data, payload, new StreamId(1));

    /// <summary>A relay message of <paramref name="command"/> with <paramref name="data"/>, on <paramref name="stream"/> (none by default).</summary>
    public static CellBuffer Message(CellPool pool, RelayCommand command, ReadOnlySpan<byte> data, StreamId stream = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var cell = pool.Rent();
        RelayCell.Encode(cell.Body, command, stream, data, RandomPaddingSource.Instance);
        return cell;
    }
}
