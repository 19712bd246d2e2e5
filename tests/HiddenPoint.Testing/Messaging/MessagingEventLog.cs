using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Conversations;

namespace HiddenPoint.Testing.Messaging;

/// <summary>
/// Drains an engine's events (the engine waits when nobody reads them) and lets a test wait, bounded, until what it
/// has seen satisfies a condition.
/// </summary>
public sealed class MessagingEventLog
{
    private readonly Lock _lock = new();
    private readonly List<MessagingEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts draining <paramref name="engine"/>'s events.</summary>
    public MessagingEventLog(MessagingEngine engine)
        : this(engine?.Events ?? throw new ArgumentNullException(nameof(engine)))
    {
    }

    /// <summary>Starts draining <paramref name="events"/> (an engine's, or a messenger subscription's).</summary>
    public MessagingEventLog(ChannelReader<MessagingEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        Draining = DrainAsync(events);
    }

    /// <summary>The drain; ends when the engine is disposed.</summary>
    public Task Draining { get; }

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<MessagingEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Events of one kind so far.</summary>
    public IReadOnlyList<T> OfType<T>()
        where T : MessagingEvent => [.. Events.OfType<T>()];

    /// <summary>Waits until <paramref name="condition"/> holds over the events seen; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<MessagingEvent>, bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition(_events))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    private async Task DrainAsync(ChannelReader<MessagingEvent> events)
    {
        await foreach (var @event in events.ReadAllAsync().ConfigureAwait(false))
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                _events.Add(@event);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
