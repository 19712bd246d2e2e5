using HiddenPoint.Client.Cli.Tui;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class UnreadCountsTests
{
    private static readonly Crypto.HiddenPoints.HiddenId Alice = Testing.TestHiddenIds.FromSeed(1);
    private static readonly Crypto.HiddenPoints.HiddenId Bob = Testing.TestHiddenIds.FromSeed(2);

    [Fact]
    public void Messages_from_a_conversation_not_on_screen_count_until_it_is_opened()
    {
        var unread = new UnreadCounts();
        unread.Received(Alice, onScreen: null);
        unread.Received(Alice, onScreen: Bob);
        unread.Received(Bob, onScreen: null);
        Assert.Equal(2, unread.Of(Alice));
        Assert.Equal(1, unread.Of(Bob));
        Assert.Equal(3, unread.Total);

        unread.Read(Alice);
        Assert.Equal(0, unread.Of(Alice));
        Assert.Equal(1, unread.Total);
    }

    [Fact]
    public void A_message_in_the_conversation_on_screen_is_read_at_once()
    {
        var unread = new UnreadCounts();
        unread.Received(Alice, onScreen: Alice);
        Assert.Equal(0, unread.Of(Alice));
        Assert.Equal(0, unread.Total);
    }

    [Fact]
    public void Reading_a_conversation_with_nothing_unread_changes_nothing()
    {
        var unread = new UnreadCounts();
        unread.Received(Bob, onScreen: null);
        unread.Read(Alice);
        Assert.Equal(1, unread.Total);
    }
}
