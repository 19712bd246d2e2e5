using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Service;

public sealed class StoredContactPolicyTests
{
    [Fact]
    public void Each_contact_state_gives_its_decision_and_an_unknown_or_forgotten_sender_is_a_request()
    {
        var policy = new StoredContactPolicy();
        var accepted = TestHiddenIds.Random();
        var requested = TestHiddenIds.Random();
        var blocked = TestHiddenIds.Random();
        policy.Set(accepted, ContactState.Accepted);
        policy.Set(requested, ContactState.Requested);
        policy.Set(blocked, ContactState.Blocked);

        Assert.Equal(ContactDecision.Accept, policy.Decide(accepted));
        Assert.Equal(ContactDecision.Request, policy.Decide(requested));
        Assert.Equal(ContactDecision.Refuse, policy.Decide(blocked));
        Assert.Equal(ContactDecision.Request, policy.Decide(TestHiddenIds.Random()));

        // Decided by the key, not by the object: a hidden-id parsed from a Hello is a new object.
        Assert.True(HiddenId.TryParse(blocked.ToString(), HiddenIdLabels.Hpc, out var parsed, out _));
        Assert.NotSame(blocked, parsed);
        Assert.Equal(ContactDecision.Refuse, policy.Decide(parsed!));
        Assert.True(blocked == parsed);

        policy.Forget(accepted);
        Assert.Equal(ContactDecision.Request, policy.Decide(accepted));
    }
}
