using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// The reading side of a <see cref="CircuitStream"/>: the inbound pipe's reader, which also tells the stream how many
/// bytes each <see cref="AdvanceTo(SequencePosition)"/> consumed, so that the stream acknowledges what was read.
/// </summary>
internal sealed class StreamInputReader(PipeReader inner, CircuitStream stream) : PipeReader
{
    private ReadOnlySequence<byte> _last;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var read = inner.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            var result = read.Result;
            _last = result.Buffer;
            return new ValueTask<ReadResult>(result);
        }

        return ReadSlowAsync(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        _last = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        var bytes = _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed);
        stream.OnConsumed(bytes);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var bytes = _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
        stream.OnConsumed(bytes);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    // Pooled: a reader that waits for data suspends here once per batch of cells, and a fresh box each time would be
    // the stream path's only allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadSlowAsync(ValueTask<ReadResult> read)
    {
        var result = await read.ConfigureAwait(false);
        _last = result.Buffer;
        return result;
    }
}
