using System.Threading.Channels;

namespace HiddenPoint.Relay.Circuits;

/// <summary>Why a queued circuit handshake was not run.</summary>
internal enum HandshakeDrop
{
    /// <summary>It waited longer than the queue's maximum wait: the client has likely given up.</summary>
    Expired = 1,

    /// <summary>The queue was shut down before its turn.</summary>
    Stopped,

    /// <summary>Running it threw.</summary>
    Fault,
}

/// <summary>
/// The bounded queue between the links' read loops and the handshake workers. A read loop only offers work
/// (<see cref="TryEnqueue"/> never waits: a full queue refuses at once); a fixed number of workers take items in order
/// and run them, dropping those that waited longer than the maximum wait, as Tor does with onion skins queued too
/// long.
/// </summary>
internal sealed class HandshakeQueue<T> : IAsyncDisposable
{
    private readonly Channel<(T Item, long EnqueuedAt)> _channel;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private readonly Action<T> _process;
    private readonly Action<T, HandshakeDrop> _drop;
    private readonly Task[] _workers;
    private volatile bool _stopping;

    public HandshakeQueue(int capacity, TimeSpan maxWait, int workers, TimeProvider time, Action<T> process, Action<T, HandshakeDrop> drop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _channel = Channel.CreateBounded<(T, long)>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = workers == 1,
            SingleWriter = false,
        });
        _maxWait = maxWait;
        _time = time;
        _process = process;
        _drop = drop;
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = Task.Run(RunAsync);
        }
    }

    /// <summary>Items waiting now.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Offers an item; false (the caller keeps it) when the queue is full or shut down.</summary>
    public bool TryEnqueue(T item) => _channel.Writer.TryWrite((item, _time.GetTimestamp()));

    /// <summary>Stops the workers; items still waiting are dropped with <see cref="HandshakeDrop.Stopped"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    /// <summary>Stops taking items; the workers drop what is still waiting.</summary>
    public void Stop()
    {
        _stopping = true;
        _channel.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                if (_stopping)
                {
                    Drop(entry.Item, HandshakeDrop.Stopped);
                    continue;
                }

                if (_time.GetElapsedTime(entry.EnqueuedAt) > _maxWait)
                {
                    Drop(entry.Item, HandshakeDrop.Expired);
                    continue;
                }

                try
                {
                    _process(entry.Item);
                }
#pragma warning disable CA1031 // One handshake's fault must not stop the worker.
                catch (Exception)
#pragma warning restore CA1031
                {
                    Drop(entry.Item, HandshakeDrop.Fault);
                }
            }
        }
    }

    private void Drop(T item, HandshakeDrop why)
    {
        try
        {
            _drop(item, why);
        }
#pragma warning disable CA1031 // The drop callback only refuses and counts; a fault there must not stop the worker.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
