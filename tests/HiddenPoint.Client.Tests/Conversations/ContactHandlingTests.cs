using System.Buffers;
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
        var (client, host) = DuplexPipePair.Create();
        var accepting = b.Engine.AcceptAsync(new ConversationTransport(host, RandomNumberGenerator.GetBytes(32)), CancellationToken.None);
        FrameEncoder.WriteHello(client.Output, mallory.PublicKey, recordedProof);
        FrameEncoder.WriteMessage(client.Output, MessageId.NewRandom(), 1, DateTimeOffset.UnixEpoch, "replayed"u8);
        await client.Output.FlushAsync();

        Assert.Equal(IncomingConnectionOutcome.RefusedInvalidProof, await accepting.WaitAsync(TestTimeouts.Step));
        var (answer, _) = await ReadFrameAsync(client.Input);
        Assert.Equal(RefusalReason.InvalidProof, Assert.IsType<RefusedFrame>(answer).Reason);
        Assert.Empty(b.Ledger.Senders());

        // The same proof on its own connection is accepted.
        var (client2, host2) = DuplexPipePair.Create();
        var accepting2 = b.Engine.AcceptAsync(new ConversationTransport(host2, recordedBinding), CancellationToken.None);
        FrameEncoder.WriteHello(client2.Output, mallory.PublicKey, recordedProof);
        await client2.Output.FlushAsync();
        Assert.Equal(IncomingConnectionOutcome.Accepted, await accepting2.WaitAsync(TestTimeouts.Step));
        await client2.Output.CompleteAsync();
    }

    [Fact]
    public async Task The_receiver_drops_duplicates_holds_out_of_order_messages_and_acknowledges_only_what_it_stored()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), Options);
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        var senderId = sender.PublicKey.ToHiddenId();
        b.Contacts.Accept(senderId);
        var binding = RandomNumberGenerator.GetBytes(32);
        var (client, host) = DuplexPipePair.Create();
        var accepting = b.Engine.AcceptAsync(new ConversationTransport(host, binding), CancellationToken.None);
        FrameEncoder.WriteHello(client.Output, sender.PublicKey, HelloProof.Sign(sender, binding));
        await client.Output.FlushAsync();
        Assert.IsType<HelloAcceptedFrame>((await ReadFrameAsync(client.Input)).Frame);
        Assert.Equal(IncomingConnectionOutcome.Accepted, await accepting);

        var ids = Enumerable.Range(0, 4).Select(_ => MessageId.NewRandom()).ToArray();
        void Send(int sequence) => FrameEncoder.WriteMessage(client.Output, ids[sequence - 1], (ulong)sequence, DateTimeOffset.UnixEpoch, System.Text.Encoding.UTF8.GetBytes($"m{sequence}"));

        // 3 before 2: held, and the acknowledgement stays at 1.
        Send(1);
        Send(1);
        Send(3);
        await client.Output.FlushAsync();
        Assert.Equal(1ul, await ReadAckAsync(client.Input, 1));

        // 2 fills the gap: 2 and 3 stored; duplicates of everything dropped.
        Send(2);
        Send(3);
        Send(1);
        await client.Output.FlushAsync();
        Assert.Equal(3ul, await ReadAckAsync(client.Input, 3));

        Assert.Equal(["m1", "m2", "m3"], b.Ledger.Incoming(senderId).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(3, b.Ledger.StoredCount);
        await b.Log.WaitUntilAsync(events => events.OfType<MessageReceived>().Count() >= 3, TestTimeouts.Step, "three events");
        Assert.Equal(3, b.Log.OfType<MessageReceived>().Count);

        // An acknowledgement of a message never sent breaks the protocol: the host closes the connection.
        FrameEncoder.WriteAck(client.Output, 5);
        await client.Output.FlushAsync();
        while (true)
        {
            var (frame, ended) = await ReadFrameAsync(client.Input);
            if (ended)
            {
                break;
            }

            Assert.IsType<AckFrame>(frame);
        }
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
        Assert.True((await ReadFrameAsync(client.Input)).Ended);
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

    private static async Task<ulong> ReadAckAsync(System.IO.Pipelines.PipeReader input, ulong through)
    {
        while (true)
        {
            var (frame, ended) = await ReadFrameAsync(input);
            Assert.False(ended);
            var ack = Assert.IsType<AckFrame>(frame);
            if (ack.Through >= through)
            {
                return ack.Through;
            }
        }
    }

    private static async Task<(ConversationFrame? Frame, bool Ended)> ReadFrameAsync(System.IO.Pipelines.PipeReader input)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Step);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var status = FrameDecoder.TryRead(ref buffer, out var frame, out _);
            if (status == FrameReadStatus.Frame)
            {
                input.AdvanceTo(buffer.Start);
                return (frame, false);
            }

            Assert.NotEqual(FrameReadStatus.Malformed, status);
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return (null, true);
            }
        }
    }
}
