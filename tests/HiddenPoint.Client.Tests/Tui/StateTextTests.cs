using HiddenPoint.Client.Cli.Tui;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class StateTextTests
{
    private static readonly Crypto.HiddenPoints.HiddenId Alice = Testing.TestHiddenIds.FromSeed(1);

    [Theory]
    [InlineData(DeliveryState.Queued, FailureReason.None, "queued")]
    [InlineData(DeliveryState.Sent, FailureReason.None, "sent")]
    [InlineData(DeliveryState.Delivered, FailureReason.None, "delivered")]
    [InlineData(DeliveryState.Failed, FailureReason.Refused, "failed: refused")]
    [InlineData(DeliveryState.Failed, FailureReason.TooLarge, "failed: too large")]
    [InlineData(DeliveryState.Failed, FailureReason.RecipientUnreachable, "failed: unreachable")]
    public void Delivery_states_read_as_words(DeliveryState state, FailureReason reason, string text) =>
        Assert.Equal(text, StateText.Delivery(state, reason));

    [Theory]
    [InlineData(ContactState.Accepted, ConversationStatus.Connected, WaitReason.None, "online")]
    [InlineData(ContactState.Accepted, ConversationStatus.Connecting, WaitReason.None, "connecting")]
    [InlineData(ContactState.Accepted, ConversationStatus.Idle, WaitReason.None, "idle")]
    [InlineData(ContactState.Accepted, ConversationStatus.WaitingForContact, WaitReason.Unreachable, "waiting: unreachable")]
    [InlineData(ContactState.Accepted, ConversationStatus.WaitingForContact, WaitReason.Blocked, "waiting: blocked us")]
    [InlineData(ContactState.Requested, ConversationStatus.Connected, WaitReason.None, "request: /accept or /reject")]
    [InlineData(ContactState.Blocked, ConversationStatus.Idle, WaitReason.None, "blocked")]
    public void A_request_or_a_block_reads_before_the_connection(ContactState state, ConversationStatus connection, WaitReason waiting, string text) =>
        Assert.Equal(text, StateText.Reachability(new TuiContact(Alice, "alice", state, connection, waiting)));

    [Fact]
    public void A_contact_without_a_name_shows_the_start_of_its_hidden_id()
    {
        var name = StateText.ContactName(new TuiContact(Alice, string.Empty, ContactState.Requested, ConversationStatus.Idle, WaitReason.None));
        Assert.Equal(Alice.ToString()[..StateText.ShortIdLength] + "…", name);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h")]
    [InlineData(86_400 * 2 + 5, "2d")]
    [InlineData(-30, "0s")]
    public void Ages_read_in_their_largest_whole_unit(int seconds, string text) =>
        Assert.Equal(text, StateText.Age(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Flags_read_in_document_order()
    {
        Assert.Equal("Fast Guard Running", StateText.Flags(RelayFlags.Running | RelayFlags.Guard | RelayFlags.Fast));
        Assert.Equal("-", StateText.Flags(RelayFlags.None));
    }

    [Theory]
    [InlineData("abc", 5, "abc  ")]
    [InlineData("abcdef", 5, "abcd…")]
    [InlineData("abc", 0, "")]
    public void Fit_pads_or_cuts_with_an_ellipsis(string text, int width, string fitted) =>
        Assert.Equal(fitted, StateText.Fit(text, width));
}
