using System.Text.Json;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Testing.Messaging;
using HiddenPoint.Testing.Network;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>A network for the messaging verbs: three authorities, eight relays and a messenger "bob" in this process.</summary>
public sealed class MessagingVerbsNetwork : IAsyncLifetime
{
    private MessengerTestNetwork? _network;

    public MessengerTestNetwork Network => _network ?? throw new InvalidOperationException("Not started.");

    public MessengerPeer Bob { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _network = await MessengerTestNetwork.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Bob = new MessengerPeer(await _network.StartMessengerAsync(_network.Options("bob")));
    }

    public async Task DisposeAsync()
    {
        Bob?.Dispose();
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    /// <summary>init's <c>--authority</c> arguments for this network's authorities.</summary>
    public IEnumerable<string> AuthorityArguments() =>
        Network.Network.Authorities.SelectMany(a => new[] { "--authority", $"{a.Nickname},127.0.0.1:{a.Port},{a.Id}" });
}

/// <summary>send, contacts, history and status as processes, with no daemon: the command runs the messenger itself.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MessagingVerbsTests(MessagingVerbsNetwork network) : IClassFixture<MessagingVerbsNetwork>, IDisposable
{
    // A verb given --timeout 90 is let run past it, so that a slow delivery ends with the verb's own verdict and reason.
    private static readonly TimeSpan BeyondTheVerbsOwnTimeout = TimeSpan.FromSeconds(110);

    // The client core's debug lines on standard error (each fetch, circuit and connection step): when a delivering verb
    // fails, its output says where it was.
    private static Dictionary<string, string?> PassphraseAndSteps()
    {
        var environment = HpcClient.WithPassphrase(HpcClient.Passphrase);
        environment["HPC_CLIENT__Logging__LogLevel__Default"] = "Debug";
        return environment;
    }

    private readonly HpcClient _alice = new();

    public void Dispose() => _alice.Dispose();

    [Fact]
    public async Task Send_exits_0_once_delivered_and_the_contacts_history_and_status_verbs_show_it()
    {
        var aliceId = await _alice.InitAsync([.. network.AuthorityArguments()]);
        var bob = network.Bob;
        var passphrase = HpcClient.WithPassphrase(HpcClient.Passphrase);

        var added = await _alice.RunAsync(["contacts", "add", bob.Id.ToString(), "bob"], passphrase);
        Assert.True(added.ExitCode == 0, added.ToString());

        var sent = await _alice.RunAsync(["send", bob.Id.ToString(), "hello bob, from a script", "--timeout", "90"], PassphraseAndSteps(), timeout: BeyondTheVerbsOwnTimeout);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("delivered in", sent.Output, StringComparison.Ordinal);
        await bob.Events.WaitUntilAsync(
            e => e.OfType<MessageReceived>().Any(m => m.Message.Contact.ToString() == aliceId), TimeSpan.FromSeconds(30), "alice's message at bob");
        var alice = bob.Events.OfType<MessageReceived>().First(m => m.Message.Contact.ToString() == aliceId).Message.Contact;
        Assert.Equal(["hello bob, from a script"], bob.ReceivedFrom(alice));

        var history = await _alice.RunAsync(["history", "bob", "--json"], passphrase);
        Assert.True(history.ExitCode == 0, history.ToString());
        using (var json = JsonDocument.Parse(history.Output))
        {
            var message = Assert.Single(json.RootElement.GetProperty("messages").EnumerateArray());
            Assert.Equal("sent", message.GetProperty("direction").GetString());
            Assert.Equal("delivered", message.GetProperty("state").GetString());
            Assert.Equal("hello bob, from a script", message.GetProperty("text").GetString());
        }

        var contacts = await _alice.RunAsync(["contacts", "list", "--json"], passphrase);
        Assert.True(contacts.ExitCode == 0, contacts.ToString());
        Assert.Contains(bob.Id.ToString(), contacts.Output, StringComparison.Ordinal);

        var status = await _alice.RunAsync(["status", "--json"], passphrase);
        Assert.True(status.ExitCode == 0, status.ToString());
        using (var json = JsonDocument.Parse(status.Output))
        {
            Assert.Equal(aliceId, json.RootElement.GetProperty("hiddenId").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("messages").GetProperty("delivered").GetInt32());
        }
    }

    [Fact]
    public async Task Send_to_a_hidden_point_that_is_offline_exits_75_with_the_reason_and_leaves_the_message_queued()
    {
        await _alice.InitAsync([.. network.AuthorityArguments()]);
        var passphrase = HpcClient.WithPassphrase(HpcClient.Passphrase);
        var nobody = HiddenPoint.Testing.TestHiddenIds.Random().ToString();

        var sent = await _alice.RunAsync(["send", nobody, "are you there?", "--timeout", "5"], passphrase);
        Assert.True(sent.ExitCode == 75, sent.ToString());
        Assert.Contains("not delivered within 5 s", sent.Error, StringComparison.Ordinal);
        Assert.Contains("stays queued", sent.Error, StringComparison.Ordinal);

        var history = await _alice.RunAsync(["history", nobody, "--json"], passphrase);
        using var json = JsonDocument.Parse(history.Output);
        Assert.NotEqual("delivered", Assert.Single(json.RootElement.GetProperty("messages").EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Connect_with_piped_input_sends_each_line_in_order_and_exits_0_once_all_are_delivered()
    {
        var aliceId = await _alice.InitAsync([.. network.AuthorityArguments()]);
        var bob = network.Bob;
        var result = await _alice.RunAsync(
            ["connect", bob.Id.ToString(), "--timeout", "90"],
            PassphraseAndSteps(),
            standardInput: "first line\nsecond line\n\nthird line\n",
            timeout: BeyondTheVerbsOwnTimeout);
        Assert.True(result.ExitCode == 0, result.ToString());

        await bob.Events.WaitUntilAsync(
            e => e.OfType<MessageReceived>().Count(m => m.Message.Contact.ToString() == aliceId) >= 3, TimeSpan.FromSeconds(30), "alice's three lines at bob");
        var alice = bob.Events.OfType<MessageReceived>().First(m => m.Message.Contact.ToString() == aliceId).Message.Contact;
        Assert.Equal(["first line", "second line", "third line"], bob.ReceivedFrom(alice));
    }

    [Fact]
    public async Task A_malformed_hidden_id_is_a_usage_error_that_says_what_is_wrong()
    {
        await _alice.InitAsync([.. network.AuthorityArguments()]);
        var sent = await _alice.RunAsync(["send", "not-a-hidden-id.hpc", "hi"], HpcClient.WithPassphrase(HpcClient.Passphrase));
        Assert.True(sent.ExitCode == 64, sent.ToString());
        Assert.Contains("is not a hidden-id", sent.Error, StringComparison.Ordinal);
    }
}
