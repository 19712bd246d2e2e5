using System.Security.Cryptography;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Messaging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Conversations;

public sealed class ContactHandlingTests
{
    private static MessagingOptions Options() => new()
    {
        RotationInterval = TimeSpan.Zero,
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(4),
        ContactRequestWindow = TimeSpan.FromMinutes(1),
        MaxContactRequestsPerWindow = 2,
    };

    [Fact]
    public async Task A_blocked_sender_is_refused_before_anything_is_stored_and_its_messages_fail()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), Options);
        var (a, b) = await network.AddContactsAsync();
        b.Contacts.Block(a.Id);

        await a.SendAsync(b, "one");
        await a.SendAsync(b, "two");
        await a.Log.WaitUntilAsync(events => events.OfType<DeliveryStateChanged>().Count(e => e.State == DeliveryState.Failed) >= 2, TestTimeouts.Step, "both failed");

        Assert.Equal(IncomingConnectionOutcome.RefusedBlocked, await b.Accepted.First());
        Assert.Empty(b.Ledger.Senders());
        Assert.Empty(b.Log.Events);
        Assert.All(a.Ledger.Outgoing(b.Id), m => Assert.Equal((DeliveryState.Failed, FailureReason.Refused), (m.State, m.Reason)));
        Assert.Contains(a.Log.OfType<ConversationStatusChanged>(), e => e.Reason == WaitReason.Blocked);
    }

    [Fact]
    public async Task An_unknown_sender_becomes_a_contact_request_carrying_its_first_messages()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), Options);
        var a = await network.AddPeerAsync();
        var b = await network.AddPeerAsync();
        a.Contacts.Accept(b.Id);

        await a.SendAsync(b, "hello, it's a");
        await a.SendAsync(b, "remember me?");
        await ConversationAssert.WaitDeliveredAsync(a, b, 2);

        var request = Assert.Single(b.Log.OfType<ContactRequestReceived>());
        Assert.Equal(a.Id, request.Contact);
        Assert.True(b.Log.Events.ToList().IndexOf(request) < b.Log.Events.ToList().FindIndex(e => e is MessageReceived));
        Assert.All(b.Log.OfType<MessageReceived>(), e => Assert.True(e.FromContactRequest));
        Assert.Equal(IncomingConnectionOutcome.AcceptedAsRequest, await b.Accepted.First());
        ConversationAssert.ExactlyOnceInOrder(a, b, ["hello, it's a", "remember me?"]);
    }

    [Fact]
    public async Task Contact_requests_are_rate_limited_per_window_and_a_refused_sender_retries_after_it()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, Options);
        var b = await network.AddPeerAsync();
        var senders = new List<MessagingTestPeer>();
        for (var i = 0; i < 3; i++)
        {
            var sender = await network.AddPeerAsync();
            senders.Add(sender);
            await sender.SendAsync(b, $"request {i}");
            if (i < 2)
            {
                await ConversationAssert.WaitDeliveredAsync(sender, b, 1);
            }
        }

        var third = senders[2];
        await third.Log.WaitUntilAsync(events => events.OfType<ConversationStatusChanged>().Any(e => e.Reason == WaitReason.RequestRateLimited), TestTimeouts.Step, "rate-limited");
        Assert.Equal(2, b.Log.OfType<ContactRequestReceived>().Count);
        Assert.Empty(b.Ledger.Incoming(third.Id));
        Assert.Equal(IncomingConnectionOutcome.RefusedRateLimited, await b.Accepted.Last());

        // An admitted requester reconnecting in the same window is not a new request.
        senders[0].Engine.Rotate(b.Id);
        await senders[0].SendAsync(b, "again");
        await ConversationAssert.WaitDeliveredAsync(senders[0], b, 2);
        Assert.Equal(2, b.Log.OfType<ContactRequestReceived>().Count);

        // A new window admits the third.
        time.Advance(TimeSpan.FromMinutes(1));
        await ConversationAssert.WaitDeliveredAsync(third, b, 1);
        Assert.Equal(3, b.Log.OfType<ContactRequestReceived>().Count);
    }

    [Fact]
    public async Task A_hello_replayed_from_another_connection_is_refused_and_nothing_is_stored()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), Options);
        var b = await network.AddPeerAsync();
        using var mallory = HiddenPointIdentitySecretKey.Generate();
        b.Contacts.Accept(mallory.PublicKey.ToHiddenId());
        var recordedBinding = RandomNumberGenerator.GetBytes(32);
        var recordedProof = HelloProof.Sign(mallory, recordedBinding);

        // The recorded proof on a connection with another binding.
        var replayed = await RawConversationClient.ConnectAsync(b.Engine, mallory, signedBinding: recordedBinding);
        replayed.WriteMessage(MessageId.NewRandom(), 1, "replayed");
        await replayed.FlushAsync();

        Assert.Equal(IncomingConnectionOutcome.RefusedInvalidProof, await replayed.Outcome.WaitAsync(TestTimeouts.Step));
        Assert.Equal(RefusalReason.InvalidProof, Assert.IsType<RefusedFrame>(await replayed.ReadFrameAsync()).Reason);
        Assert.Null(await replayed.ReadFrameAsync());
        Assert.Empty(b.Ledger.Senders());

        // A proof made for its own connection is accepted.
        var honest = await RawConversationClient.ConnectAsync(b.Engine, mallory);
        Assert.Equal(IncomingConnectionOutcome.Accepted, await honest.Outcome.WaitAsync(TestTimeouts.Step));
        Assert.IsType<HelloAcceptedFrame>(await honest.ReadFrameAsync());
        await honest.CloseAsync();
    }

    [Fact]
    public async Task Garbage_instead_of_a_hello_closes_the_connection_and_stores_nothing()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), Options);
        var b = await network.AddPeerAsync();
        var (client, host) = DuplexPipePair.Create();
        var accepting = b.Engine.AcceptAsync(new ConversationTransport(host, new byte[32]), CancellationToken.None);
        await client.Output.WriteAsync(new byte[] { 0, 0, 0, 1, 77 });

        Assert.Equal(IncomingConnectionOutcome.Failed, await accepting.WaitAsync(TestTimeouts.Step));
        var read = await client.Input.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.True(read.IsCompleted && read.Buffer.IsEmpty);
        Assert.Empty(b.Ledger.Senders());
    }

    [Fact]
    public void Options_out_of_range_are_refused_naming_the_option()
    {
        var options = new MessagingOptions { WindowSize = 0, RetryInitialDelay = TimeSpan.FromMinutes(20), RetryMaxDelay = TimeSpan.FromMinutes(10), GracePeriod = TimeSpan.FromMinutes(6) };
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(options.Validate);
        Assert.Contains(failure.Failures, f => f.Contains("WindowSize", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("GracePeriod", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("RetryMaxDelay", StringComparison.Ordinal));
        new MessagingOptions().Validate();
    }
}
