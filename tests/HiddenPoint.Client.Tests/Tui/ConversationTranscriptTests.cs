using System.Text;
using HiddenPoint.Client.Cli.Tui;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class ConversationTranscriptTests
{
    private static readonly Crypto.HiddenPoints.HiddenId Bob = Testing.TestHiddenIds.FromSeed(2);
    private static readonly DateTimeOffset At = new(2026, 12, 7, 14, 2, 0, TimeSpan.Zero);

    private static HistoryEntry Stored(long position, MessageDirection direction, MessageId id, string text, DeliveryState state = DeliveryState.Delivered, bool damaged = false) =>
        new(position, direction, id, (ulong)position, damaged ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(text), At, null, state, FailureReason.None, damaged);

    private static OutgoingMessage Outgoing(MessageId id, string text, DeliveryState state = DeliveryState.Queued) =>
        new(Bob, id, 1, Encoding.UTF8.GetBytes(text), At, state, FailureReason.None);

    private static IncomingMessage Incoming(MessageId id, string text) => new(Bob, id, 1, Encoding.UTF8.GetBytes(text), At, At);

    [Fact]
    public void History_then_live_messages_read_in_order_with_sent_states()
    {
        var transcript = new ConversationTranscript();
        transcript.Load(new HistoryPage(
            [Stored(1, MessageDirection.Incoming, new MessageId(1), "hi"), Stored(2, MessageDirection.Outgoing, new MessageId(2), "hello", DeliveryState.Delivered)],
            null));
        transcript.Sent(Outgoing(new MessageId(3), "how are you?"));
        transcript.Received(Incoming(new MessageId(4), "fine"));

        Assert.Equal(
            ["14:02 bob: hi", "14:02 you: hello  [delivered]", "14:02 you: how are you?  [queued]", "14:02 bob: fine"],
            transcript.Lines("bob", 80, TimeZoneInfo.Utc));
    }

    [Fact]
    public void Delivery_states_move_forward_and_a_state_that_overtook_the_send_is_kept()
    {
        var transcript = new ConversationTranscript();
        Assert.False(transcript.DeliveryChanged(new MessageId(7), DeliveryState.Delivered, FailureReason.None));
        transcript.Sent(Outgoing(new MessageId(7), "early"));
        Assert.Equal(DeliveryState.Delivered, Assert.Single(transcript.Entries).State);

        transcript.Sent(Outgoing(new MessageId(8), "later"));
        Assert.True(transcript.DeliveryChanged(new MessageId(8), DeliveryState.Sent, FailureReason.None));
        Assert.False(transcript.DeliveryChanged(new MessageId(8), DeliveryState.Sent, FailureReason.None));
        Assert.True(transcript.DeliveryChanged(new MessageId(8), DeliveryState.Failed, FailureReason.Refused));
        Assert.Equal("14:02 you: later  [failed: refused]", transcript.Lines("bob", 80, TimeZoneInfo.Utc)[1]);
    }

    [Fact]
    public void A_live_message_that_the_history_load_also_holds_is_shown_once()
    {
        var transcript = new ConversationTranscript();
        transcript.Received(Incoming(new MessageId(5), "both"));
        transcript.Sent(Outgoing(new MessageId(6), "mine", DeliveryState.Delivered));
        transcript.Load(new HistoryPage(
            [Stored(1, MessageDirection.Incoming, new MessageId(5), "both"), Stored(2, MessageDirection.Outgoing, new MessageId(6), "mine", DeliveryState.Sent)],
            null));

        Assert.Equal(2, transcript.Entries.Count);
        Assert.Equal(DeliveryState.Delivered, transcript.Entries[1].State);
    }

    [Fact]
    public void An_incoming_and_an_outgoing_message_with_the_same_id_are_two_messages()
    {
        var transcript = new ConversationTranscript();
        transcript.Received(Incoming(new MessageId(9), "theirs"));
        transcript.Sent(Outgoing(new MessageId(9), "mine"));
        Assert.Equal(2, transcript.Entries.Count);
    }

    [Fact]
    public void Long_texts_wrap_at_spaces_under_their_first_line()
    {
        var transcript = new ConversationTranscript();
        transcript.Received(Incoming(new MessageId(1), "one two three four five six seven eight"));
        Assert.Equal(
            ["14:02 bob: one two three", "      four five six seven", "      eight"],
            transcript.Lines("bob", 25, TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_word_longer_than_the_line_is_cut()
    {
        var transcript = new ConversationTranscript();
        transcript.Received(Incoming(new MessageId(1), new string('w', 30)));
        var lines = transcript.Lines("bob", 20, TimeZoneInfo.Utc);
        Assert.All(lines, l => Assert.True(l.Length <= 20, l));
        Assert.Equal(30, string.Concat(lines).Count(c => c == 'w'));
    }

    [Fact]
    public void Terminal_escapes_and_line_breaks_from_the_contact_reach_the_screen_as_spaces()
    {
        var transcript = new ConversationTranscript();
        transcript.Received(Incoming(new MessageId(1), "a\u001b[2Jb\nc\td"));
        var line = Assert.Single(transcript.Lines("bo\u001bb", 80, TimeZoneInfo.Utc));
        Assert.Equal("14:02 bo b: a [2Jb c d", line);
        Assert.DoesNotContain(line, char.IsControl);
    }

    [Fact]
    public void A_damaged_body_reads_as_a_marker()
    {
        var transcript = new ConversationTranscript();
        transcript.Load(new HistoryPage([Stored(1, MessageDirection.Incoming, new MessageId(1), "secret", damaged: true)], null));
        Assert.Equal("14:02 bob: " + ConversationTranscript.DamagedText, Assert.Single(transcript.Lines("bob", 80, TimeZoneInfo.Utc)));
    }
}
