using System.IO.Pipelines;

namespace HiddenPoint.Testing;

/// <summary>
/// A pipe reader that can stop handing data to its link, as a peer that no longer reads: once closed, reads wait at
/// the gate until it opens again (or the read is cancelled).
/// </summary>
public sealed class GatedPipeReader(PipeReader inner) : PipeReader
{
    private volatile TaskCompletionSource _open = Opened();
    private volatile TaskCompletionSource _parked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a read waits at the closed gate: from then on the link reads nothing more.</summary>
    public Task Parked => _parked.Task;

    /// <summary>Stops handing data on: the next read waits.</summary>
    public void Close()
    {
        _parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Hands data on again, releasing a read that waits.</summary>
    public void Open() => _open.TrySetResult();

    /// <inheritdoc/>
    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    /// <inheritdoc/>
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    /// <inheritdoc/>
    public override void CancelPendingRead()
    {
        Open();
        inner.CancelPendingRead();
    }

    /// <inheritdoc/>
    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <inheritdoc/>
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var gate = _open.Task;
        if (!gate.IsCompleted)
        {
            _parked.TrySetResult();
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override bool TryRead(out ReadResult result)
    {
        if (!_open.Task.IsCompleted)
        {
            result = default;
            return false;
        }

        return inner.TryRead(out result);
    }

    private static TaskCompletionSource Opened()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
