using HiddenPoint.Testing.Messaging;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Messaging;

/// <summary>
/// A relay on the conversation's path goes away mid-conversation (its own network, since the relay does not come
/// back): the sender's guard, so that every circuit it had is cut. Nothing is lost or doubled.
/// </summary>
public sealed class MessengerRelayLossTests(MessengerNetworkFixture fixture, ITestOutputHelper output) : IClassFixture<MessengerNetworkFixture>
{
    [Fact]
    public async Task A_relay_on_the_path_stopped_mid_conversation_loses_and_doubles_nothing()
    {
        var network = fixture.Network;
        using var alice = new MessengerPeer(await network.StartMessengerAsync(network.Options("alice-loss")));
        using var bob = new MessengerPeer(await network.StartMessengerAsync(network.Options("bob-loss")));
        await alice.Messenger.AddContactAsync(bob.Id, "bob", CancellationToken.None);
        await bob.Messenger.AddContactAsync(alice.Id, "alice", CancellationToken.None);

        const int Before = 30, After = 70;
        try
        {
            await MessengerOverRealNetworkTests.SendAllAsync(alice, bob, "before", Before);
            await bob.Events.WaitUntilAsync(_ => bob.ReceivedFrom(alice.Id).Count >= 10, TimeSpan.FromSeconds(120), "the conversation under way");

            // Alice's first primary guard carries the first hop of every circuit she builds, her conversation's included.
            var guard = alice.Messenger.Core.Guards.Primary[0];
            output.WriteLine($"stopping alice's guard after {bob.ReceivedFrom(alice.Id).Count} messages arrived");
            await network.Network.StopRelayAsync(guard);
            await MessengerOverRealNetworkTests.SendAllAsync(alice, bob, "after", After);

            await Task.WhenAll(
                bob.Events.WaitUntilAsync(_ => bob.ReceivedFrom(alice.Id).Count >= Before + After, TimeSpan.FromSeconds(180), "every message at bob"),
                alice.Events.WaitUntilAsync(_ => alice.DeliveredTo(bob.Id) >= Before + After, TimeSpan.FromSeconds(180), "every message acknowledged"));
        }
        catch
        {
            // Everything at Information and above (publication, uploads, waits), then the last debug lines.
            foreach (var line in fixture.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information && l.Id.Id is not (1201 or 5003)))
            {
                output.WriteLine(line.ToString());
            }

            foreach (var line in fixture.Logs.Lines.TakeLast(150))
            {
                output.WriteLine(line.ToString());
            }

            throw;
        }

        var expected = MessengerOverRealNetworkTests.Texts("before", Before).Concat(MessengerOverRealNetworkTests.Texts("after", After)).ToArray();
        Assert.Equal(expected, bob.ReceivedFrom(alice.Id));
        var stored = await bob.HistoryAsync(alice.Id, HiddenPoint.Client.Messaging.Storage.MessageDirection.Incoming);
        Assert.Equal(Enumerable.Range(1, Before + After).Select(i => (ulong)i), stored.Select(m => m.Sequence));
    }
}
