using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Conversations;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// One reader of the messenger's events, from the moment it subscribed. A subscriber that falls
/// <see cref="Capacity"/> events behind is dropped (its reader completes with <see cref="SubscriberFellBehindException"/>)
/// rather than slow the conversations down; it then reads the store to catch up and subscribes again. Dispose to stop.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Channel<MessagingEvent> _channel;
    private readonly Action<EventSubscription> _unsubscribe;

    internal EventSubscription(int capacity, Action<EventSubscription> unsubscribe)
    {
        Capacity = capacity;
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<MessagingEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>How many unread events the subscription holds before it is dropped.</summary>
    public int Capacity { get; }

    /// <summary>The events, in the order the engine raised them.</summary>
    public ChannelReader<MessagingEvent> Events => _channel.Reader;

    /// <inheritdoc/>
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _unsubscribe(this);
    }

    /// <summary>Hands over one event; false when the subscriber is too far behind (the subscription is then completed).</summary>
    internal bool TryDeliver(MessagingEvent messagingEvent)
    {
        if (_channel.Writer.TryWrite(messagingEvent))
        {
            return true;
        }

        _channel.Writer.TryComplete(new SubscriberFellBehindException(Capacity));
        return false;
    }

    internal void Complete() => _channel.Writer.TryComplete();
}
