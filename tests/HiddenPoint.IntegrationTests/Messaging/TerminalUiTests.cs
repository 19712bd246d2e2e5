using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing.Messaging;
using HiddenPoint.Testing.Network;
using HiddenPoint.Testing.Terminal;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Messaging;

/// <summary>
/// The real hpc-client terminal UI in an 80×24 pseudo-terminal (tmux), its messenger on the in-process network and
/// its contact a messenger in this test process: the screen is read as a user reads it.
/// </summary>
public sealed class TerminalUiTests(MessengerNetworkFixture fixture, ITestOutputHelper output) : IClassFixture<MessengerNetworkFixture>
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(120);

    private MessengerTestNetwork Network => fixture.Network;

    [TmuxFact]
    public async Task U_lists_relays_and_the_contact_S_opens_the_conversation_a_typed_message_is_delivered_a_reply_appears_live_and_X_exits()
    {
        // The UI's messenger is made (identity, store, contact) in this process first, then stopped: the UI process
        // opens the same data directory, as a user's second run would.
        var aliceOptions = Network.Options("tui-alice");
        var alice = await Network.StartMessengerAsync(aliceOptions);
        var aliceId = alice.HiddenId;
        using var bob = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("tui-bob")));
        await alice.AddContactAsync(bob.Id, "bob", CancellationToken.None);
        await bob.Messenger.AddContactAsync(aliceId, "alice", CancellationToken.None);
        await Network.StopMessengerAsync(alice);

        var config = Path.Combine(aliceOptions.DataDirectory, "client.json");
        MessengerConfigFile.Write(aliceOptions, config);
        using var terminal = TmuxTerminal.Start(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cli", "hpc-client.dll"), "tui", "--config", config],
            new Dictionary<string, string> { [PassphraseSource.EnvironmentVariable] = MessengerTestNetwork.Passphrase });
        var screens = new List<string>();
        try
        {
            // Bootstrapping, then the list view's key line and a status line that says the hidden point is published.
            screens.Add(await terminal.WaitForTextAsync("U refresh", InProcessNetwork.Ready));
            screens.Add(await terminal.WaitForTextAsync("| published", InProcessNetwork.Ready));

            terminal.Type("u");
            var list = await terminal.WaitForTextAsync("Relays (8)");
            screens.Add(list);
            Assert.Contains("Contacts (1, 0 pending requests)", list, StringComparison.Ordinal);
            Assert.Contains("  bob  ", list, StringComparison.Ordinal);
            foreach (var id in Network.Network.RelayIds)
            {
                Assert.True(Network.Network.Consensus!.TryGetRelay(id, out var relay));
                Assert.Contains(relay.Nickname, list, StringComparison.Ordinal);
            }

            // The first row that can be opened is the only contact.
            terminal.Type("s");
            screens.Add(await terminal.WaitForTextAsync("Enter send"));
            terminal.Type("hello from the terminal");
            terminal.Press("Enter");
            await bob.Events.WaitUntilAsync(_ => bob.ReceivedFrom(aliceId).Contains("hello from the terminal"), Delivery, "bob has the typed message");
            screens.Add(await terminal.WaitForTextAsync("you: hello from the terminal  [delivered]", Delivery));

            await bob.Messenger.SendAsync(aliceId, "hello back from bob", CancellationToken.None);
            screens.Add(await terminal.WaitForTextAsync("bob: hello back from bob", Delivery));

            // A slash word that is no command is not sent.
            terminal.Type("/frobnicate");
            terminal.Press("Enter");
            screens.Add(await terminal.WaitForTextAsync("Unknown command /frobnicate"));

            // Resized, the screen is laid out again: at 40 columns the sent message wraps under its first line, and
            // the status line is still the bottom row.
            terminal.Resize(40, 16);
            var narrow = await terminal.WaitForScreenAsync(
                s => s.Split('\n').Any(l => l.StartsWith("      ", StringComparison.Ordinal) && l.Contains("[delivered]", StringComparison.Ordinal)),
                "the sent message wrapped at 40 columns");
            screens.Add(narrow);
            Assert.StartsWith("consensus", narrow.Split('\n')[15], StringComparison.Ordinal);
            terminal.Resize(80, 24);
            screens.Add(await terminal.WaitForTextAsync("you: hello from the terminal  [delivered]"));

            terminal.Press("Escape");
            screens.Add(await terminal.WaitForTextAsync("U refresh"));
            terminal.Type("x");
            Assert.Equal(0, await terminal.WaitForExitAsync(TestTimeouts.Host));
        }
        catch
        {
            output.WriteLine("Last screen:\n" + terminal.Capture());
            throw;
        }

        Assert.DoesNotContain(bob.ReceivedFrom(aliceId), t => t.StartsWith('/'));
        Assert.All(screens, s => Assert.DoesNotContain(MessengerTestNetwork.Passphrase, s, StringComparison.Ordinal));
    }
}
