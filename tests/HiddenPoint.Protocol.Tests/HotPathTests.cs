using System.Buffers;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

/// <summary>The per-cell path (cell framing, relay header, DATA payload, SENDME tag) allocates nothing.</summary>
public class HotPathTests
{
    [Fact]
    public void Per_cell_decode_and_encode_do_not_allocate()
    {
        var cell = new byte[Cell.Length];
        var relayBody = Cell.WriteHeader(cell, new CircuitId(0x8000_0001), CellCommand.Relay);
        var padding = new CountingPaddingSource();
        var payload = Samples.Bytes(RelayCell.MaxDataWithStream, 3);
        var sendmeBody = Samples.Body(new SendmeMessage(Samples.Bytes(16, 9)));
        var tag = new byte[SendmeMessage.TagLength];
        var cellBuffer = new byte[Cell.Length];
        var input = new ReadOnlySequence<byte>(cell);
        var total = 0;

        long before = 0;
        var ok = true;
        for (var i = 0; i <= 1000; i++)
        {
            if (i == 1)
            {
                // The first round warms up the JIT and statics.
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            RelayCell.Encode(relayBody, RelayCommand.Data, new StreamId(7), payload, padding);
            var sequence = input;
            // Assertions allocate, so outcomes are counted and checked after the measurement.
            ok &= Cell.TryRead(ref sequence, cellBuffer, LinkSide.Initiator, out _, out _) == CellDecodeStatus.Complete;
            ok &= Cell.TryDecode(cellBuffer, LinkSide.Initiator, out _, out var body, out _);
            ok &= RelayCell.TryParse(body, out var view, out _);
            ok &= DataMessage.IsValidPayload(view.Data, view.DataOffset, out _);
            total += view.Data.Length;

            ok &= RelayCell.TryParse(sendmeBody, out var sendme, out _);
            var reader = new WireReader(sendme.Data, sendme.DataOffset);
            ok &= SendmeMessage.TryDecodeTag(ref reader, tag, out _);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(ok);
        Assert.Equal(1001 * RelayCell.MaxDataWithStream, total);
        Assert.Equal(Samples.Bytes(16, 9), tag);
    }
}
