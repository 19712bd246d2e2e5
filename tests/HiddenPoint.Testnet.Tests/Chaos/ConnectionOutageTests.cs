using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Testnet.Chaos;

namespace HiddenPoint.Testnet.Tests.Chaos;

/// <summary>How CR-01 reads detection and rebuild times out of the daemons' conversation events.</summary>
public sealed class ConnectionOutageTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_conversation_that_leaves_connected_after_the_fault_gives_detection_and_rebuild()
    {
        List<StatusTransition> transitions =
        [
            At(0, "alice", ApiConversationStatus.Connecting), At(1, "alice", ApiConversationStatus.Connected),
            At(30.2, "alice", ApiConversationStatus.Connecting), At(31.5, "alice", ApiConversationStatus.WaitingForContact),
            At(33, "alice", ApiConversationStatus.Connecting), At(33.7, "alice", ApiConversationStatus.Connected),
            At(2, "bob", ApiConversationStatus.Connected),
        ];

        var outages = ConnectionOutage.After(s_start.AddSeconds(30), s_start.AddSeconds(60), transitions);

        // Bob stayed connected: the fault was not on his circuits.
        var alice = Assert.Single(outages);
        Assert.Equal(("alice", TimeSpan.FromSeconds(0.2)), (alice.User, alice.Detection));
        Assert.Equal(TimeSpan.FromSeconds(3.5), alice.Rebuild);
    }

    [Fact]
    public void A_conversation_still_reconnecting_from_an_earlier_fault_is_not_counted_again_and_one_never_back_has_no_rebuild()
    {
        List<StatusTransition> transitions =
        [
            At(1, "alice", ApiConversationStatus.Connected),
            At(5, "alice", ApiConversationStatus.Connecting), At(31, "alice", ApiConversationStatus.WaitingForContact),
            At(1, "bob", ApiConversationStatus.Connected), At(40, "bob", ApiConversationStatus.Idle),
        ];

        var outages = ConnectionOutage.After(s_start.AddSeconds(30), s_start.AddSeconds(60), transitions);

        var bob = Assert.Single(outages);
        Assert.Equal(("bob", TimeSpan.FromSeconds(10), (TimeSpan?)null), (bob.User, bob.Detection, bob.Rebuild));
        Assert.Empty(ConnectionOutage.After(s_start.AddSeconds(50), s_start.AddSeconds(60), transitions));
    }

    private static StatusTransition At(double seconds, string user, ApiConversationStatus status) =>
        new(s_start + TimeSpan.FromSeconds(seconds), user, user == "alice" ? "bob.hpc" : "alice.hpc", status);
}
