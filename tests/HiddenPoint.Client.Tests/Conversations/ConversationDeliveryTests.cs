using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Messaging;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.Client.Tests.Conversations.ConversationAssert;

namespace HiddenPoint.Client.Tests.Conversations;

public sealed class ConversationDeliveryTests
{
    private static MessagingOptions Options(int rotateEvery = 0) => new()
    {
        RotationInterval = TimeSpan.Zero,
        RotateEveryMessages = rotateEvery,
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public async Task Two_hundred_messages_both_ways_concurrently_arrive_exactly_once_and_in_order()
    {
        var logs = new LogCapture();
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => Options(), logs);
        var (a, b) = await network.AddContactsAsync();
        var fromA = Texts("a", 200);
        var fromB = Texts("b", 200);

        await Task.WhenAll(Task.Run(() => SendAllAsync(a, b, fromA)), Task.Run(() => SendAllAsync(b, a, fromB)));
        await WaitDeliveredAsync(a, b, 200);
        await WaitDeliveredAsync(b, a, 200);

        ExactlyOnceInOrder(a, b, fromA);
        ExactlyOnceInOrder(b, a, fromB);

        // Logs never name who talks to whom.
        foreach (var id in new[] { a.Id, b.Id })
        {
            var text = id.ToString()[..56];
            Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(text, StringComparison.Ordinal) || l.Message.Contains(id.IdentityKey.ToString(), StringComparison.Ordinal));
        }

        Assert.Empty(logs.WarningsWithExceptions);
    }

    [Fact]
    public async Task A_body_over_16_KiB_or_not_UTF8_is_refused_before_it_is_queued()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => Options());
        var (a, b) = await network.AddContactsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => a.Engine.SendAsync(b.Id, new byte[16_385], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => a.Engine.SendAsync(b.Id, new byte[] { 0xc3 }, CancellationToken.None));
        Assert.Empty(a.Ledger.Outgoing(b.Id));

        var largest = new string('é', 8_192);
        await a.SendAsync(b, largest);
        await WaitDeliveredAsync(a, b, 1);
        ExactlyOnceInOrder(a, b, [largest]);
    }

    [Fact]
    public async Task Each_message_goes_queued_then_sent_then_delivered()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => Options());
        var (a, b) = await network.AddContactsAsync();

        var message = await a.SendAsync(b, "hello");
        await WaitDeliveredAsync(a, b, 1);

        var states = a.Log.OfType<DeliveryStateChanged>().Where(e => e.Id == message.Id).Select(e => e.State);
        Assert.Equal([DeliveryState.Queued, DeliveryState.Sent, DeliveryState.Delivered], states);
        Assert.Equal(1ul, message.Sequence);
    }

    [Fact]
    public async Task A_connection_cut_mid_flight_is_retried_on_the_next_one_and_nothing_is_lost_or_doubled()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => Options());
        var (a, b) = await network.AddContactsAsync();
        var first = Texts("before", 150);

        var sending = Task.Run(() => SendAllAsync(a, b, first));
        await b.Log.WaitUntilAsync(events => events.OfType<MessageReceived>().Count() >= 20, TestTimeouts.Step, "the first messages");
        b.SeverAll();
        await sending;
        await WaitDeliveredAsync(a, b, 150);
        b.SeverAll();
        var second = Texts("after", 50);
        await SendAllAsync(a, b, second);
        await WaitDeliveredAsync(a, b, 200);

        Assert.True(b.LinksDialled >= 2, "the cut connection was replaced");
        ExactlyOnceInOrder(a, b, [.. first, .. second]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public async Task Rotation_every_N_messages_under_load_with_both_sides_sending_in_the_grace_period_loses_and_doubles_nothing(int every)
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => Options(every));
        var (a, b) = await network.AddContactsAsync();
        var fromA = Texts("a", 120);
        var fromB = Texts("b", 120);

        // Both sides send at once, so every rotation happens with messages in flight both ways on the old connection.
        await Task.WhenAll(Task.Run(() => SendAllAsync(a, b, fromA[..60])), Task.Run(() => SendAllAsync(b, a, fromB[..60])));
        await a.Log.WaitUntilAsync(events => events.OfType<MessageReceived>().Count() >= 20, TestTimeouts.Step, "messages under way");

        // Every connection replaced so far reaches the end of its grace period now, some with messages unacknowledged.
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.WhenAll(Task.Run(() => SendAllAsync(a, b, fromA[60..])), Task.Run(() => SendAllAsync(b, a, fromB[60..])));
        await WaitDeliveredAsync(a, b, 120);
        await WaitDeliveredAsync(b, a, 120);
        time.Advance(TimeSpan.FromSeconds(10));

        ExactlyOnceInOrder(a, b, fromA);
        ExactlyOnceInOrder(b, a, fromB);
        // Each connection carries at most N messages of each side (a side also moves to a newer connection the other opened).
        Assert.True(a.LinksDialled + b.LinksDialled >= 240 / (2 * every), $"rotated: {a.LinksDialled + b.LinksDialled} connections");
    }

    [Fact]
    public async Task Connections_dialed_by_both_sides_at_once_never_cut_each_others_current_while_both_talk()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => Options());
        var (a, b) = await network.AddContactsAsync();

        // Both dials are held until both have started: the two connections cross. Which one each side takes as current
        // depends on the order each sees; the crossing rule or, where the two disagree, the rule that keeps a replaced
        // connection the contact still sends on, must leave them talking.
        var bothDialing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dials = 0;
        network.BeforeDial = async token =>
        {
            if (Interlocked.Increment(ref dials) == 2)
            {
                bothDialing.TrySetResult();
            }

            await bothDialing.Task.WaitAsync(token);
        };
        await Task.WhenAll(a.SendAsync(b, "a0"), b.SendAsync(a, "b0"));
        await WaitDeliveredAsync(a, b, 1);
        await WaitDeliveredAsync(b, a, 1);

        // Both may already talk over one connection while the other dial is still on its way: wait for both to land.
        await a.WaitForLinksAsync(1, TestTimeouts.Step);
        await b.WaitForLinksAsync(1, TestTimeouts.Step);
        Assert.Equal(1, a.LinksDialled);
        Assert.Equal(1, b.LinksDialled);
        network.BeforeDial = null;

        // Thirty seconds, a message each way every second, across three grace periods: no connection is cut under the
        // other side and none is dialed again; everything arrives once and in order.
        for (var i = 1; i <= 30; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(a.SendAsync(b, $"a{i}"), b.SendAsync(a, $"b{i}"));
            await WaitDeliveredAsync(a, b, i + 1);
            await WaitDeliveredAsync(b, a, i + 1);
        }

        Assert.Equal(1, a.LinksDialled);
        Assert.Equal(1, b.LinksDialled);
        ExactlyOnceInOrder(a, b, [.. Enumerable.Range(0, 31).Select(i => $"a{i}")]);
        ExactlyOnceInOrder(b, a, [.. Enumerable.Range(0, 31).Select(i => $"b{i}")]);
    }

    [Fact]
    public async Task Rotation_on_demand_keeps_the_old_connection_open_for_the_grace_period()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => Options());
        var (a, b) = await network.AddContactsAsync();
        await a.SendAsync(b, "one");
        await WaitDeliveredAsync(a, b, 1);

        a.Engine.Rotate(b.Id);
        await a.SendAsync(b, "two");
        await WaitDeliveredAsync(a, b, 2);
        Assert.Equal(2, b.LinksDialled);

        // Both connections are open until the grace period ends; the old one then closes and the new one carries on.
        var old = b.Links[0];
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(old.AToB.IsCompleted || old.BToA.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await Task.WhenAll(old.AToB, old.BToA).WaitAsync(TestTimeouts.Step);
        Assert.False(b.Links[1].AToB.IsCompleted);
        await a.SendAsync(b, "three");
        await WaitDeliveredAsync(a, b, 3);
        Assert.Equal(2, b.LinksDialled);
        ExactlyOnceInOrder(a, b, ["one", "two", "three"]);
    }

    [Fact]
    public async Task A_recipient_offline_leaves_messages_waiting_with_a_visible_reason_and_gets_them_when_back()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => Options());
        var (a, b) = await network.AddContactsAsync();
        b.GoOffline();

        await SendAllAsync(a, b, Texts("m", 5));
        await a.Log.WaitUntilAsync(events => events.OfType<ConversationStatusChanged>().Any(e => e.Status == ConversationStatus.WaitingForContact), TestTimeouts.Step, "waiting for contact");
        var waiting = a.Log.OfType<ConversationStatusChanged>()[^1];
        Assert.Equal((ConversationStatus.WaitingForContact, WaitReason.Unreachable), (waiting.Status, waiting.Reason));
        Assert.Empty(b.Ledger.Senders());
        Assert.All(a.Ledger.Outgoing(b.Id), m => Assert.Equal(DeliveryState.Queued, m.State));

        // Back-off: about 1 s, 2 s, 4 s, then no longer than 4 s (each less at most 20 % jitter).
        var delays = new List<TimeSpan> { waiting.NextAttemptAt!.Value - time.GetUtcNow() };
        for (var attempt = 2; attempt <= 4; attempt++)
        {
            time.Advance(delays[^1]);
            await a.Log.WaitUntilAsync(events => events.OfType<ConversationStatusChanged>().Count(e => e.Status == ConversationStatus.WaitingForContact) >= attempt, TestTimeouts.Step, $"attempt {attempt}");
            delays.Add(a.Log.OfType<ConversationStatusChanged>()[^1].NextAttemptAt!.Value - time.GetUtcNow());
        }

        double[] nominal = [1, 2, 4, 4];
        for (var i = 0; i < 4; i++)
        {
            Assert.InRange(delays[i].TotalSeconds, nominal[i] * 0.8 - 0.001, nominal[i] + 0.001);
        }

        b.GoOnline();
        time.Advance(TimeSpan.FromSeconds(4));
        await WaitDeliveredAsync(a, b, 5);
        ExactlyOnceInOrder(a, b, Texts("m", 5));
    }

    [Fact]
    public async Task Messages_pending_at_a_restart_go_out_in_order_from_the_new_engine()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => Options());
        var (a, b) = await network.AddContactsAsync();
        b.GoOffline();
        await SendAllAsync(a, b, Texts("m", 10));

        // The new engine finds the pending messages in the ledger and sends them without any new send.
        b.GoOnline();
        await a.RestartAsync();
        await b.Log.WaitUntilAsync(events => events.OfType<MessageReceived>().Count() >= 10, TestTimeouts.Step, "delivery after restart");
        await a.Log.WaitUntilAsync(events => events.OfType<DeliveryStateChanged>().Count(e => e.State == DeliveryState.Delivered) >= 10, TestTimeouts.Step, "acknowledged after restart");

        Assert.Equal(Texts("m", 10), b.Ledger.Incoming(a.Id).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
        Assert.All(a.Ledger.Outgoing(b.Id), m => Assert.Equal(DeliveryState.Delivered, m.State));
    }
}
