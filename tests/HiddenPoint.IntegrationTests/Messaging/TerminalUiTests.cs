using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
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
        using var bob = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("tui-bob")));
        var (aliceId, terminal) = await StartUiAsync("tui-alice", async alice =>
        {
            await alice.AddContactAsync(bob.Id, "bob", CancellationToken.None);
            await bob.Messenger.AddContactAsync(alice.HiddenId, "alice", CancellationToken.None);
        });
        using var _ = terminal;
        var screens = new List<string>();
        try
        {
            // Bootstrapping, then the list view's key line and a status line that says the hidden point is published.
            screens.Add(await terminal.WaitForTextAsync("U refresh", InProcessNetwork.Ready));
            screens.Add(await terminal.WaitForTextAsync("| published", InProcessNetwork.Ready));

            terminal.Type("u");
            var list = await terminal.WaitForTextAsync("Relays (8)");

            // The rows may be drawn a moment after the heading: each relay's row is waited for, not assumed.
            foreach (var id in Network.Network.RelayIds)
            {
                Assert.True(Network.Network.Consensus!.TryGetRelay(id, out var relay));
                list = await terminal.WaitForTextAsync(relay.Nickname);
            }

            screens.Add(list);
            await terminal.WaitForTextAsync("Contacts (1, 0 pending requests)");
            await terminal.WaitForTextAsync("  bob  ");

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

            // Esc in the list does not quit; ? shows the help and Esc closes it. (After Esc the test waits for what
            // it did: a key sent right after it would reach the program as Alt and that key.)
            terminal.Press("Escape");
            screens.Add(await terminal.WaitForTextAsync("X exits"));
            terminal.Type("?");
            screens.Add(await terminal.WaitForTextAsync("/accept [name]"));
            terminal.Press("Escape");
            screens.Add(await terminal.WaitForTextAsync("U refresh"));

            // Two rows down from the contact (past the relays' heading) is the first relay: S shows its details.
            terminal.Press("Down", "Down");
            terminal.Type("s");
            var details = await terminal.WaitForTextAsync("Identity:");
            screens.Add(details);
            var first = Network.Network.Consensus!.Relays.Select(r => r.Nickname).Order(StringComparer.OrdinalIgnoreCase).First();
            screens.Add(await terminal.WaitForTextAsync("Relay " + first));
            terminal.Press("Escape");
            screens.Add(await terminal.WaitForTextAsync("Relays (8)"));

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
    [TmuxFact]
    public async Task A_contact_request_appears_live_and_is_accepted_with_a_slash_command_and_SIGTERM_exits_cleanly()
    {
        var (daveId, terminal) = await StartUiAsync("tui-dave", _ => Task.CompletedTask);
        using var _ = terminal;
        using var carol = new MessengerPeer(await Network.StartMessengerAsync(Network.Options("tui-carol")));
        try
        {
            await terminal.WaitForTextAsync("| published", InProcessNetwork.Ready);
            terminal.Type("u");
            await terminal.WaitForTextAsync("Contacts (0, 0 pending requests)");

            await carol.Messenger.SendAsync(daveId, "hello, may I write to you?", CancellationToken.None);
            // The request's row comes with the contact list, its unread count with the message's event: wait for both.
            var request = await terminal.WaitForScreenAsync(
                screen => screen.Contains("request: /accept or /reject", StringComparison.Ordinal) && screen.Contains("(1 unread)", StringComparison.Ordinal),
                "the request's row with its unread message",
                Delivery);
            Assert.Contains("? " + carol.Id.ToString()[..12] + "…", request, StringComparison.Ordinal);

            // The selection stayed on the relay it was on when the request's row came in above it.
            terminal.Press("Home", "Down");
            terminal.Type("s");
            await terminal.WaitForTextAsync(": hello, may I write to you?");
            terminal.Type("/accept carol");
            terminal.Press("Enter");
            await terminal.WaitForTextAsync("carol (");
            terminal.Type("welcome, carol");
            terminal.Press("Enter");
            await terminal.WaitForTextAsync("you: welcome, carol  [delivered]", Delivery);
            Assert.Contains("welcome, carol", carol.ReceivedFrom(daveId));

            terminal.Press("Escape");
            await terminal.WaitForTextAsync("Contacts (1, 0 pending requests)");
            await terminal.WaitForTextAsync("  carol ");

            // Asked to stop, it closes as after X: the terminal is given back and the messenger stops.
            terminal.Terminate();
            Assert.Equal(0, await terminal.WaitForExitAsync(TestTimeouts.Host));
            Assert.Contains("hpc-client: stopped", terminal.Capture(), StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine("Last screen:\n" + terminal.Capture());
            throw;
        }
    }

    // The UI's messenger is made (identity, store, contacts) in this process first, then stopped: the UI process opens
    // the same data directory from a configuration file, as a user's second run would.
    private async Task<(HiddenId Id, TmuxTerminal Terminal)> StartUiAsync(string name, Func<Messenger, Task> prepare)
    {
        var options = Network.Options(name);
        var messenger = await Network.StartMessengerAsync(options);
        var id = messenger.HiddenId;
        try
        {
            await prepare(messenger);
        }
        finally
        {
            await Network.StopMessengerAsync(messenger);
        }

        var config = Path.Combine(options.DataDirectory, "client.json");
        MessengerConfigFile.Write(options, config);
        var terminal = TmuxTerminal.Start(
            "dotnet",
            [ChildProgram.Locate("hpc-client"), "--config", config],
            new Dictionary<string, string> { [PassphraseSource.EnvironmentVariable] = MessengerTestNetwork.Passphrase });
        return (id, terminal);
    }
}
