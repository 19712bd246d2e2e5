using HiddenPoint.Testnet.Chaos;

namespace HiddenPoint.Testnet.Tests.Chaos;

/// <summary>The accounting of a chaos run: what counts as lost, duplicated, changed and out of order.</summary>
public sealed class TrafficSummaryTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Messages_stored_once_in_order_are_delivered_with_their_times()
    {
        var sent = Sent(3);
        var received = new List<ReceivedMessage> { Got(1, 1.5), Got(2, 2.5), Got(3, 4) };

        var summary = TrafficSummary.Of(sent, received, _ => true);

        Assert.Equal((3, 3, 0, 0, 0, 0), (summary.Sent, summary.Delivered, summary.Lost, summary.Duplicated, summary.Corrupt, summary.OutOfOrder));
        Assert.True(summary.ExactlyOnceInOrder);
        Assert.Equal(TimeSpan.FromSeconds(0.5), summary.Median);
        Assert.Equal(TimeSpan.FromSeconds(1), summary.Max);
    }

    [Fact]
    public void A_missing_message_is_lost_a_second_copy_duplicated_a_later_one_first_out_of_order_and_a_changed_text_corrupt()
    {
        var sent = Sent(4);
        var received = new List<ReceivedMessage> { Got(2, 3), Got(1, 3), Got(2, 4), new("alice", "bob", -1, s_start) };

        var summary = TrafficSummary.Of(sent, received, _ => true);

        Assert.Equal(2, summary.Delivered);
        Assert.Equal(2, summary.Lost);
        Assert.Equal(1, summary.Duplicated);
        Assert.Equal(1, summary.OutOfOrder);
        Assert.Equal(1, summary.Corrupt);
        Assert.False(summary.ExactlyOnceInOrder);
    }

    [Fact]
    public void An_uncertain_send_that_never_arrives_is_not_lost()
    {
        var sent = new List<SentMessage> { new("", "alice", "bob", 1, s_start, Certain: false) };

        var summary = TrafficSummary.Of(sent, [], _ => true);

        Assert.Equal((0, 0, 1), (summary.Lost, summary.Sent, summary.Uncertain));
    }

    [Fact]
    public void The_text_checks_every_byte_and_belongs_to_one_pair()
    {
        var text = MessageText.Of(5, "alice", "bob", 17, 256);

        Assert.Equal(256, text.Length);
        Assert.Equal(17, MessageText.NumberIn(text, "alice", "bob"));
        Assert.Null(MessageText.NumberIn(text, "bob", "alice"));
        Assert.NotEqual(text, MessageText.Of(6, "alice", "bob", 17, 256));
        Assert.NotEqual(text, MessageText.Of(5, "alice", "bob", 18, 256));
    }

    [Fact]
    public void Recovery_is_the_slowest_pairs_first_message_after_the_fault()
    {
        var sent = new List<SentMessage>
        {
            new("", "alice", "bob", 1, s_start, true),
            new("", "alice", "bob", 2, s_start.AddSeconds(10), true),
            new("", "bob", "alice", 1, s_start.AddSeconds(11), true),
        };
        var received = new List<ReceivedMessage>
        {
            new("alice", "bob", 1, s_start.AddSeconds(1)),
            new("alice", "bob", 2, s_start.AddSeconds(14)),
            new("bob", "alice", 1, s_start.AddSeconds(12)),
        };

        Assert.Equal(TimeSpan.FromSeconds(9), Recovery.After(s_start.AddSeconds(5), sent, received));
    }

    private static List<SentMessage> Sent(int count) =>
        [.. Enumerable.Range(1, count).Select(n => new SentMessage("", "alice", "bob", n, s_start.AddSeconds(n), Certain: true))];

    private static ReceivedMessage Got(int n, double atSeconds) => new("alice", "bob", n, s_start.AddSeconds(atSeconds));
}
