using System.Runtime.CompilerServices;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// How many more DATA messages a stream may send: <see cref="StreamWindow.Initial"/> at first, one taken per DATA,
/// <see cref="StreamWindow.Increment"/> given back by each STREAM_SENDME. The stream's sender waits here, so a reader
/// that does not read stops its sender instead of growing a queue anywhere. Taken by the sender, given by the
/// circuit's reactor.
/// </summary>
internal sealed class PackageCredit
{
    private readonly Lock _gate = new();
    private int _credit = StreamWindow.Initial;
    private TaskCompletionSource? _waiting;
    private bool _closed;

    /// <summary>Takes one message's credit, waiting for a STREAM_SENDME when none is left; false once closed.</summary>
    public ValueTask<bool> TakeAsync()
    {
        Task wait;
        lock (_gate)
        {
            if (_closed)
            {
                return new ValueTask<bool>(false);
            }

            if (_credit > 0)
            {
                _credit--;
                return new ValueTask<bool>(true);
            }

            _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiting.Task;
        }

        return WaitThenTakeAsync(wait);
    }

    /// <summary>A STREAM_SENDME arrived. False when it gives more than was ever taken (the peer broke the protocol).</summary>
    public bool Grant()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (_credit + StreamWindow.Increment > StreamWindow.Initial)
            {
                return false;
            }

            _credit += StreamWindow.Increment;
            waiting = _waiting;
            _waiting = null;
        }

        waiting?.TrySetResult();
        return true;
    }

    /// <summary>No more credit will come: a waiting sender is released with false.</summary>
    public void Close()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _closed = true;
            waiting = _waiting;
            _waiting = null;
        }

        waiting?.TrySetResult();
    }

    // Pooled: a writer out of credit suspends here once per window, and would otherwise allocate a box each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitThenTakeAsync(Task wait)
    {
        await wait.ConfigureAwait(false);
        return await TakeAsync().ConfigureAwait(false);
    }
}
