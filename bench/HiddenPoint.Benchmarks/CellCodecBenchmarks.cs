using BenchmarkDotNet.Attributes;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The cell codec per cell, crypto aside: a full stream DATA message (488 bytes) written into a 514-byte RELAY cell
/// (header, relay cell v1 header, data, padding), and the same cell's header checked and its relay header parsed, as
/// a link's read loop and a recognizing hop do.
/// </summary>
[MemoryDiagnoser]
public class CellCodecBenchmarks
{
    private static readonly StreamId Stream = new(7);

    private readonly byte[] _data = new byte[RelayCell.MaxDataWithStream];
    private readonly byte[] _cell = new byte[Cell.Length];
    private readonly byte[] _decoded = new byte[Cell.Length];
    private readonly CircuitId _circuit = new(0x8000_1234);

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_data);
        var body = Cell.WriteHeader(_decoded, _circuit, CellCommand.Relay);
        RelayCell.Encode(body, RelayCommand.Data, Stream, _data, RandomPaddingSource.Instance);
    }

    /// <summary>One full DATA cell encoded: cell header, relay header, 488 data bytes (no padding left).</summary>
    [Benchmark]
    public void EncodeDataCell()
    {
        var body = Cell.WriteHeader(_cell, _circuit, CellCommand.Relay);
        RelayCell.Encode(body, RelayCommand.Data, Stream, _data, RandomPaddingSource.Instance);
    }

    /// <summary>One full DATA cell decoded: the cell header checked, the relay header parsed, the data viewed.</summary>
    [Benchmark]
    public int DecodeDataCell()
    {
        if (!Cell.TryDecode(_decoded, LinkSide.Initiator, out _, out var body, out DecodeError error) ||
            !RelayCell.TryParse(body, out var view, out error))
        {
            throw new InvalidOperationException(error.ToString());
        }

        return view.Data.Length;
    }
}
