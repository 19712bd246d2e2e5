using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Service;

public sealed class EventSubscriptionTests
{
    [Fact]
    public async Task A_subscriber_that_leaves_its_capacity_unread_is_dropped_with_a_typed_reason_and_unsubscribed()
    {
        var unsubscribed = 0;
        using var subscription = new EventSubscription(16, _ => unsubscribed++);
        var contact = TestHiddenIds.Random();
        for (var i = 0; i < 16; i++)
        {
            Assert.True(subscription.TryDeliver(new ContactRequestReceived(contact)));
        }

        Assert.False(subscription.TryDeliver(new ContactRequestReceived(contact)));

        // What it had is still readable, then the reader hears why it ended.
        var read = 0;
        var ended = await Assert.ThrowsAsync<SubscriberFellBehindException>(async () =>
        {
            await foreach (var _ in subscription.Events.ReadAllAsync())
            {
                read++;
            }
        });
        Assert.Equal(16, read);
        Assert.Equal(16, ended.Capacity);
        subscription.Dispose();
        Assert.Equal(1, unsubscribed);
    }
}
