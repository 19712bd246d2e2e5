using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Messaging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Conversations;

/// <summary>What a host does with hand-written frames: duplicates, order, its holding bound, impossible acks.</summary>
public sealed class ReceiverRulesTests
{
    [Fact]
    public async Task Duplicates_are_dropped_out_of_order_messages_held_and_only_stored_messages_acknowledged()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => new MessagingOptions { RotationInterval = TimeSpan.Zero });
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        var senderId = sender.PublicKey.ToHiddenId();
        b.Contacts.Accept(senderId);
        var client = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await client.ReadFrameAsync());
        var ids = Enumerable.Range(0, 4).Select(_ => MessageId.NewRandom()).ToArray();
        void Send(int sequence) => client.WriteMessage(ids[sequence - 1], (ulong)sequence, $"m{sequence}");

        // 3 before 2: held, and the acknowledgement stays at 1.
        Send(1);
        Send(1);
        Send(3);
        await client.FlushAsync();
        Assert.Equal(1ul, await client.ReadAckThroughAsync(1));

        // 2 fills the gap: 2 and 3 stored; duplicates of everything dropped.
        Send(2);
        Send(3);
        Send(1);
        await client.FlushAsync();
        Assert.Equal(3ul, await client.ReadAckThroughAsync(3));

        Assert.Equal(["m1", "m2", "m3"], b.Ledger.Incoming(senderId).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(3, b.Ledger.StoredCount);
        await b.Log.WaitUntilAsync(events => events.OfType<MessageReceived>().Count() >= 3, TestTimeouts.Step, "three events");
        Assert.Equal(3, b.Log.OfType<MessageReceived>().Count);
    }

    [Fact]
    public async Task A_replaced_connection_the_contact_still_sends_on_stays_open_until_a_grace_period_passes_without_a_message()
    {
        var time = new FakeTimeProvider();
        await using var network = new MessagingTestNetwork(time, () => new MessagingOptions { RotationInterval = TimeSpan.Zero });
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        var senderId = sender.PublicKey.ToHiddenId();
        b.Contacts.Accept(senderId);

        // The contact opens a connection, then a second one, and goes on sending on the first: for the contact the
        // first is current (as when both sides dialed at once and took different ones).
        var first = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await first.ReadFrameAsync());
        var second = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await second.ReadFrameAsync());
        first.WriteMessage(MessageId.NewRandom(), 1, "m1");
        await first.FlushAsync();
        Assert.Equal(1ul, await first.ReadAckThroughAsync(1));

        // At 10 s the grace period ends with a Message only 6 s old: the first stays, and carries the next one.
        time.Advance(TimeSpan.FromSeconds(4));
        first.WriteMessage(MessageId.NewRandom(), 2, "m2");
        await first.FlushAsync();
        Assert.Equal(2ul, await first.ReadAckThroughAsync(2));
        time.Advance(TimeSpan.FromSeconds(6));
        first.WriteMessage(MessageId.NewRandom(), 3, "m3");
        await first.FlushAsync();
        Assert.Equal(3ul, await first.ReadAckThroughAsync(3));

        // A whole grace period with no Message on it (from 10 s to 20 s, seen at the next check): then it closes; the
        // second stays.
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(await first.ReadFrameAsync());
        second.WriteMessage(MessageId.NewRandom(), 4, "m4");
        await second.FlushAsync();
        Assert.Equal(4ul, await second.ReadAckThroughAsync(4));
        Assert.Equal(["m1", "m2", "m3", "m4"], b.Ledger.Incoming(senderId).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task A_message_beyond_the_holding_bound_is_dropped_and_taken_when_it_comes_again()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => new MessagingOptions { RotationInterval = TimeSpan.Zero, MaxHeldOutOfOrder = 2 });
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        var senderId = sender.PublicKey.ToHiddenId();
        b.Contacts.Accept(senderId);
        var client = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await client.ReadFrameAsync());
        var ids = Enumerable.Range(0, 4).Select(_ => MessageId.NewRandom()).ToArray();

        client.WriteMessage(ids[1], 2, "m2");
        client.WriteMessage(ids[2], 3, "m3");
        client.WriteMessage(ids[3], 4, "m4");
        client.WriteMessage(ids[0], 1, "m1");
        await client.FlushAsync();
        Assert.Equal(3ul, await client.ReadAckThroughAsync(3));

        client.WriteMessage(ids[3], 4, "m4");
        await client.FlushAsync();
        Assert.Equal(4ul, await client.ReadAckThroughAsync(4));
        Assert.Equal(["m1", "m2", "m3", "m4"], b.Ledger.Incoming(senderId).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task A_malformed_frame_after_the_hello_closes_only_that_connection()
    {
        var logs = new LogCapture();
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => new MessagingOptions { RotationInterval = TimeSpan.Zero }, logs);
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        var senderId = sender.PublicKey.ToHiddenId();
        b.Contacts.Accept(senderId);

        var broken = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await broken.ReadFrameAsync());
        var kept = MessageId.NewRandom();
        broken.WriteMessage(kept, 1, "kept");
        broken.WriteRaw([0, 0, 0, 2, 0x63, 0]);
        await broken.FlushAsync();

        // The connection closes (perhaps before the Ack of the message ahead of the garbage goes out), so the
        // sender writes that message again on its next connection: stored once, acknowledged there.
        while (await broken.ReadFrameAsync() is { } frame)
        {
            Assert.IsType<AckFrame>(frame);
        }

        var next = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await next.ReadFrameAsync());
        next.WriteMessage(kept, 1, "kept");
        next.WriteMessage(MessageId.NewRandom(), 2, "after");
        await next.FlushAsync();
        Assert.Equal(2ul, await next.ReadAckThroughAsync(2));
        Assert.Equal(["kept", "after"], b.Ledger.Incoming(senderId).Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Contains(logs.Lines, l => l.Id.Id == 5605);
        Assert.Empty(logs.WarningsWithExceptions);
    }

    [Fact]
    public async Task An_ack_of_a_message_never_sent_or_a_second_hello_closes_the_connection()
    {
        await using var network = new MessagingTestNetwork(new FakeTimeProvider(), () => new MessagingOptions { RotationInterval = TimeSpan.Zero });
        var b = await network.AddPeerAsync();
        using var sender = HiddenPointIdentitySecretKey.Generate();
        b.Contacts.Accept(sender.PublicKey.ToHiddenId());

        var acking = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await acking.ReadFrameAsync());
        acking.WriteAck(5);
        await acking.FlushAsync();
        Assert.Null(await acking.ReadFrameAsync());

        var twice = await RawConversationClient.ConnectAsync(b.Engine, sender);
        Assert.IsType<HelloAcceptedFrame>(await twice.ReadFrameAsync());
        var hello = new System.Buffers.ArrayBufferWriter<byte>();
        FrameEncoder.WriteHello(hello, sender.PublicKey, new byte[64]);
        twice.WriteRaw(hello.WrittenSpan);
        twice.WriteMessage(MessageId.NewRandom(), 1, "after a second hello");
        await twice.FlushAsync();
        Assert.Null(await twice.ReadFrameAsync());
        Assert.Empty(b.Ledger.Senders());
    }
}
