using System.Threading.Tasks.Sources;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A bounded many-writer, one-reader queue for a circuit reactor. Unlike a <c>Channel</c> it costs almost nothing
/// while empty (its buffer appears with the first item), which matters with thousands of idle circuits per relay;
/// the reader's wait is one reusable value-task source, so waiting allocates nothing. Writers never wait: a full
/// queue refuses the item.
/// </summary>
internal sealed class ReactorQueue<T> : IValueTaskSource<bool>
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private Queue<T>? _items;
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private bool _waiting;
    private bool _completed;

    public ReactorQueue(int capacity)
    {
        _capacity = capacity;

        // The reader resumes on the thread pool, never inline on a link's read loop.
        _waiter.RunContinuationsAsynchronously = true;
    }

    public bool TryWrite(T item) => TryWrite(item, bounded: true);

    /// <summary>
    /// Writes an item this process made for its own reactor (work to run on it), past the capacity if need be: such
    /// items never come from a peer, and refusing one would leave its caller waiting for nothing.
    /// </summary>
    public bool TryWriteLocal(T item) => TryWrite(item, bounded: false);

    private bool TryWrite(T item, bool bounded)
    {
        lock (_gate)
        {
            if (_completed || (bounded && (_items?.Count ?? 0) >= _capacity))
            {
                return false;
            }

            (_items ??= new Queue<T>(4)).Enqueue(item);
            if (!_waiting)
            {
                return true;
            }

            _waiting = false;
        }

        _waiter.SetResult(true);
        return true;
    }

    public bool TryRead(out T item)
    {
        lock (_gate)
        {
            if (_items is { Count: > 0 } items)
            {
                item = items.Dequeue();
                return true;
            }
        }

        item = default!;
        return false;
    }

    /// <summary>The item that would be read next, without taking it; safe from any thread (a memory limit asks).</summary>
    public bool TryPeek(out T item)
    {
        lock (_gate)
        {
            if (_items is { Count: > 0 } items)
            {
                item = items.Peek();
                return true;
            }
        }

        item = default!;
        return false;
    }

    /// <summary>True when an item is ready; false once the queue is completed and empty. One reader only.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_items is { Count: > 0 })
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _waiter.Reset();
            _waiting = true;
        }

        return new ValueTask<bool>(this, _waiter.Version);
    }

    /// <summary>Refuses further items; a waiting reader wakes to drain what is left.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _waiter.SetResult(false);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
