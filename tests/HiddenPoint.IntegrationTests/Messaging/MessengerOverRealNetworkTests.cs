using System.Text;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing.Messaging;
using HiddenPoint.Testing.Network;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Messaging;

/// <summary>
/// Conversations between messengers on a real network (three authorities, eight relay hosts, each messenger with its
/// own client core, store and hidden point): exactly once and in order both ways under rotation, a contact request
/// from an unknown sender, a blocked sender that stores nothing, and a recipient that was offline.
/// </summary>
public sealed class MessengerOverRealNetworkTests(MessengerNetworkFixture fixture, ITestOutputHelper output) : IClassFixture<MessengerNetworkFixture>
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(120);

    private MessengerTestNetwork Network => fixture.Network;

    [Fact]
    public async Task Two_hidden_points_exchange_200_messages_both_ways_at_once_while_rotating_and_each_arrives_once_and_in_order()
    {
        // A new connection every 40 messages, so both sides rotate mid-stream while the other is sending too.
        using var alice = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("alice-200", m => m.RotateEveryMessages = 25)));
        using var bob = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("bob-200", m => m.RotateEveryMessages = 25)));
        await alice.Messenger.AddContactAsync(bob.Id, "bob", CancellationToken.None);
        await bob.Messenger.AddContactAsync(alice.Id, "alice", CancellationToken.None);

        const int Count = 200;
        var logMark = fixture.Logs.Lines.Count;
        await OnFailurePrintLogsAsync(async () =>
        {
            await Task.WhenAll(
                SendAllAsync(alice, bob, "from alice", Count),
                SendAllAsync(bob, alice, "from bob", Count));
            await Task.WhenAll(
                bob.Events.WaitUntilAsync(_ => bob.ReceivedFrom(alice.Id).Count >= Count, Delivery, "bob has alice's 200"),
                alice.Events.WaitUntilAsync(_ => alice.ReceivedFrom(bob.Id).Count >= Count, Delivery, "alice has bob's 200"),
                alice.Events.WaitUntilAsync(_ => alice.DeliveredTo(bob.Id) >= Count, Delivery, "alice's 200 acknowledged"),
                bob.Events.WaitUntilAsync(_ => bob.DeliveredTo(alice.Id) >= Count, Delivery, "bob's 200 acknowledged"));
        });

        Assert.Equal(Texts("from alice", Count), bob.ReceivedFrom(alice.Id));
        Assert.Equal(Texts("from bob", Count), alice.ReceivedFrom(bob.Id));
        await AssertStoredInOrderAsync(bob, alice, "from alice", Count);
        await AssertStoredInOrderAsync(alice, bob, "from bob", Count);
        Assert.All(await alice.HistoryAsync(bob.Id, MessageDirection.Outgoing), m => Assert.Equal(DeliveryState.Delivered, m.State));
        // 200 messages each way in rounds of 25: each side moves to a new connection about 8 times (5607 "rotating").
        var rotations = fixture.Logs.Lines.Skip(logMark).Count(l => l.Id.Id == 5607);
        output.WriteLine($"{rotations} rotations");
        Assert.True(rotations >= 6, $"both sides rotated during the exchange ({rotations} rotations)");
    }

    [Fact]
    public async Task An_unknown_sender_becomes_a_contact_request_with_its_message_and_a_blocked_sender_stores_nothing()
    {
        using var host = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("host-requests")));
        using var stranger = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("stranger")));
        using var blocked = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("blocked")));
        Assert.Equal(ContactResult.Added, await host.Messenger.BlockAsync(blocked.Id, CancellationToken.None));

        await OnFailurePrintLogsAsync(async () =>
        {
            await stranger.Messenger.SendAsync(host.Id, "hello, may I write to you?", CancellationToken.None);
            await blocked.Messenger.SendAsync(host.Id, "let me in", CancellationToken.None);

            await host.Events.WaitUntilAsync(e => e.OfType<ContactRequestReceived>().Any(r => r.Contact == stranger.Id), Delivery, "the stranger's contact request");
            await host.Events.WaitUntilAsync(e => e.OfType<MessageReceived>().Any(r => r.Message.Contact == stranger.Id), Delivery, "the stranger's first message");
            await stranger.Events.WaitUntilAsync(_ => stranger.DeliveredTo(host.Id) == 1, Delivery, "the stranger's message acknowledged");
            await blocked.Events.WaitUntilAsync(
                e => e.OfType<DeliveryStateChanged>().Any(d => d.State == DeliveryState.Failed && d.Reason == FailureReason.Refused),
                Delivery,
                "the blocked sender's message failed as refused");
        });

        var request = Assert.Single(host.Events.OfType<MessageReceived>());
        Assert.True(request.FromContactRequest);
        Assert.Equal(ContactState.Requested, (await host.Messenger.Store.GetContactAsync(stranger.Id, CancellationToken.None))?.State);
        Assert.Empty(await host.HistoryAsync(blocked.Id, MessageDirection.Incoming));
        Assert.DoesNotContain(host.Events.Events, e => e is MessageReceived r && r.Message.Contact == blocked.Id);

        // Accepted, the stranger is a contact: the reply goes back on a conversation that is no longer a request.
        Assert.Equal(ContactResult.Updated, await host.Messenger.AcceptRequestAsync(stranger.Id, "stranger", CancellationToken.None));
        await host.Messenger.SendAsync(stranger.Id, "welcome", CancellationToken.None);
        await OnFailurePrintLogsAsync(() => stranger.Events.WaitUntilAsync(_ => stranger.ReceivedFrom(host.Id).Count == 1, Delivery, "the reply"));
        Assert.Equal(["welcome"], stranger.ReceivedFrom(host.Id));
    }

    [Fact]
    public async Task Messages_to_a_recipient_that_is_offline_wait_and_are_delivered_once_and_in_order_when_it_returns()
    {
        var recipientOptions = Network.Options("returning");
        using var sender = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("patient")));
        var recipient = await Network.StartMessengerAsync(recipientOptions);
        var recipientId = recipient.HiddenId;
        await recipient.AddContactAsync(sender.Id, "patient", CancellationToken.None);
        await Network.StopMessengerAsync(recipient);

        const int Count = 5;
        await SendAllAsync(sender, recipientId, "while you were away", Count);
        await OnFailurePrintLogsAsync(() => sender.Events.WaitUntilAsync(
            e => e.OfType<ConversationStatusChanged>().Any(s => s.Contact == recipientId && s.Status == ConversationStatus.WaitingForContact),
            Delivery,
            "the sender waiting for its contact"));
        Assert.Equal(0, sender.DeliveredTo(recipientId));
        Assert.All(await sender.HistoryAsync(recipientId, MessageDirection.Outgoing), m => Assert.NotEqual(DeliveryState.Delivered, m.State));

        using var returned = new MessengerPeer(await Network.StartMessengerAsync(recipientOptions));
        await OnFailurePrintLogsAsync(() => Task.WhenAll(
            sender.Events.WaitUntilAsync(_ => sender.DeliveredTo(recipientId) >= Count, Delivery, "the queued messages delivered"),
            returned.Events.WaitUntilAsync(_ => returned.ReceivedFrom(sender.Id).Count >= Count, Delivery, "the queued messages received")));
        Assert.Equal(Texts("while you were away", Count), returned.ReceivedFrom(sender.Id));
        await AssertStoredInOrderAsync(returned, sender, "while you were away", Count);
    }

    internal static IReadOnlyList<string> Texts(string prefix, int count) => [.. Enumerable.Range(1, count).Select(i => $"{prefix} #{i}")];

    internal static Task SendAllAsync(MessengerPeer from, MessengerPeer to, string prefix, int count) => SendAllAsync(from, to.Id, prefix, count);

    internal static async Task SendAllAsync(MessengerPeer from, HiddenPoint.Crypto.HiddenPoints.HiddenId to, string prefix, int count)
    {
        foreach (var text in Texts(prefix, count))
        {
            await from.Messenger.SendAsync(to, text, CancellationToken.None);
        }
    }

    internal static async Task AssertStoredInOrderAsync(MessengerPeer at, MessengerPeer from, string prefix, int count)
    {
        var stored = await at.HistoryAsync(from.Id, MessageDirection.Incoming);
        Assert.Equal(Texts(prefix, count), stored.Select(m => Encoding.UTF8.GetString(m.Body.Span)).ToArray());
        Assert.Equal(Enumerable.Range(1, count).Select(i => (ulong)i), stored.Select(m => m.Sequence));
    }

    private async Task OnFailurePrintLogsAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            foreach (var line in fixture.Logs.Lines.TakeLast(400))
            {
                output.WriteLine(line.ToString());
            }

            throw;
        }
    }
}
