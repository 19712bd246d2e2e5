using HiddenPoint.Client.Cli.Tui;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class ListRowsTests
{
    private static readonly Crypto.HiddenPoints.HiddenId AliceId = Testing.TestHiddenIds.FromSeed(1);
    private static readonly Crypto.HiddenPoints.HiddenId BobId = Testing.TestHiddenIds.FromSeed(2);
    private static readonly Crypto.HiddenPoints.HiddenId StrangerId = Testing.TestHiddenIds.FromSeed(3);
    private static readonly Crypto.HiddenPoints.HiddenId BlockedId = Testing.TestHiddenIds.FromSeed(4);

    private static readonly TuiContact[] Contacts =
    [
        new(BobId, "bob", ContactState.Accepted, ConversationStatus.WaitingForContact, WaitReason.Unreachable),
        new(BlockedId, "spammer", ContactState.Blocked, ConversationStatus.Idle, WaitReason.None),
        new(AliceId, "alice", ContactState.Accepted, ConversationStatus.Connected, WaitReason.None),
        new(StrangerId, string.Empty, ContactState.Requested, ConversationStatus.Idle, WaitReason.None),
    ];

    private static readonly TuiRelay[] Relays =
    [
        new("zeta", "id-z", ["127.2.0.1:5002"], RelayFlags.Fast | RelayFlags.Running | RelayFlags.Valid, 200),
        new("alpha", "id-a", ["127.1.0.1:5001"], RelayFlags.Guard | RelayFlags.Running, 100),
    ];

    [Fact]
    public void Requests_come_first_then_contacts_by_name_then_blocked_then_relays_by_nickname()
    {
        var rows = ListRows.Build(Contacts, Relays, new UnreadCounts(), 80);
        string[] starts = ["Contacts (2, 1 pending requests)", "? " + StateText.ShortId(StrangerId), "  alice ", "  bob ", "  spammer ", "Relays (2)", "  alpha ", "  zeta "];
        Assert.Equal(starts.Length, rows.Count);
        for (var i = 0; i < starts.Length; i++)
        {
            Assert.StartsWith(starts[i], rows[i].Text, StringComparison.Ordinal);
        }

        Assert.All(rows, r => Assert.Equal(80, r.Text.Length));
        Assert.False(rows[0].IsSelectable);
        Assert.Same(Contacts[2], rows[2].Contact);
        Assert.Same(Relays[1], rows[6].Relay);
    }

    [Fact]
    public void The_selection_follows_its_contact_or_relay_else_goes_to_the_first_row_that_opens()
    {
        var before = ListRows.Build([Contacts[2]], Relays, new UnreadCounts(), 80);
        var after = ListRows.Build(Contacts, Relays, new UnreadCounts(), 80);
        Assert.Equal(2, ListRows.IndexOf(after, before[1]));
        Assert.Equal(7, ListRows.IndexOf(after, before[4]));
        Assert.Equal(1, ListRows.IndexOf(after, before[0]));
        Assert.Equal(1, ListRows.IndexOf(after, null));
        Assert.Equal(-1, ListRows.IndexOf([new ListRow("heading", null, null)], null));
    }

    [Fact]
    public void A_contact_row_shows_reachability_and_unread_messages()
    {
        var unread = new UnreadCounts();
        unread.Received(AliceId, onScreen: null);
        unread.Received(AliceId, onScreen: null);
        var row = ListRows.ContactRow(Contacts[2], unread.Of(AliceId), 80);
        Assert.Equal("  alice               online  (2 unread)", row.TrimEnd());
        Assert.Contains("waiting: unreachable", ListRows.ContactRow(Contacts[0], 0, 80), StringComparison.Ordinal);
        Assert.Contains("request: /accept or /reject", ListRows.ContactRow(Contacts[3], 0, 80), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relay_row_shows_address_weight_and_flags()
    {
        var row = ListRows.RelayRow(Relays[0], 80);
        Assert.Equal("  zeta                127.2.0.1:5002        bw 200    Fast Running Valid", row.TrimEnd());
    }

    [Fact]
    public void Rows_are_cut_to_a_narrow_terminal()
    {
        var rows = ListRows.Build(Contacts, Relays, new UnreadCounts(), 30);
        Assert.All(rows, r => Assert.Equal(30, r.Text.Length));
    }

    [Fact]
    public void Relay_details_list_identity_flags_weight_and_every_address()
    {
        var relay = new TuiRelay("multi", "relay-identity", ["127.3.0.1:5003", "[::1]:5003"], RelayFlags.HSDir, 7);
        var lines = RelayDetails.Lines(relay);
        Assert.Contains("Identity:  relay-identity", lines);
        Assert.Contains("Flags:     HSDir", lines);
        Assert.Contains("Address:   127.3.0.1:5003", lines);
        Assert.Contains("           [::1]:5003", lines);
    }
}
