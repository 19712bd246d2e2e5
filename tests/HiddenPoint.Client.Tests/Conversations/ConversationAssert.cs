using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Messaging;

namespace HiddenPoint.Client.Tests.Conversations;

/// <summary>The checks every conversation test makes: delivered exactly once, in order, and acknowledged.</summary>
internal static class ConversationAssert
{
    public static List<string> Texts(string prefix, int count) => [.. Enumerable.Range(1, count).Select(i => $"{prefix} {i}")];

    public static async Task SendAllAsync(MessagingTestPeer from, MessagingTestPeer to, IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            await from.SendAsync(to, text);
        }
    }

    /// <summary>Waits until <paramref name="to"/> stored <paramref name="count"/> messages from <paramref name="from"/> and <paramref name="from"/> saw them all delivered.</summary>
    public static async Task WaitDeliveredAsync(MessagingTestPeer from, MessagingTestPeer to, int count)
    {
        await to.Log.WaitUntilAsync(
            events => events.OfType<MessageReceived>().Count(e => e.Message.Contact.Equals(from.Id)) >= count,
            TestTimeouts.Step, $"{count} messages stored");
        await from.Log.WaitUntilAsync(
            events => events.OfType<DeliveryStateChanged>().Count(e => e.Contact.Equals(to.Id) && e.State == DeliveryState.Delivered) >= count,
            TestTimeouts.Step, $"{count} messages acknowledged");
    }

    /// <summary>Exactly <paramref name="texts"/>, once each, in order, with sequences 1…n; every one delivered at the sender.</summary>
    public static void ExactlyOnceInOrder(MessagingTestPeer from, MessagingTestPeer to, IReadOnlyList<string> texts)
    {
        var stored = to.Ledger.Incoming(from.Id);
        Assert.Equal(texts, stored.Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)).ToList());
        Assert.Equal(Enumerable.Range(1, texts.Count).Select(i => (ulong)i), stored.Select(m => m.Sequence));
        Assert.Equal(texts.Count, stored.Select(m => m.Id).Distinct().Count());
        var received = to.Log.OfType<MessageReceived>().Where(e => e.Message.Contact.Equals(from.Id)).ToList();
        Assert.Equal(stored.Select(m => m.Id), received.Select(e => e.Message.Id));
        Assert.All(from.Ledger.Outgoing(to.Id), m => Assert.Equal(DeliveryState.Delivered, m.State));
        Assert.Equal(texts.Count, from.Ledger.Outgoing(to.Id).Count);
    }
}
