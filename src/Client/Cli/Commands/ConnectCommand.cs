using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client connect &lt;hidden-id&gt;</c>: a conversation on the terminal. Each line read from standard input is
/// sent; each message from the contact is printed as it arrives. At the end of input (Ctrl-D, or the end of a pipe)
/// it waits until what was sent is delivered, up to <c>--timeout</c>: exit 0, or 75 with what is still queued.
/// </summary>
internal sealed class ConnectCommand() : CliVerb("connect",
    "Open a conversation with a hidden point: each line you type is sent, each message from them is printed as it " +
    "arrives. Ctrl-D ends it once what you sent is delivered. With piped input and output it does the same for " +
    "scripts: one message per line in, one line per message out.")
{
    private readonly Argument<HiddenId> _contact = HiddenIdArgument.Create("hidden-id", "The hidden point to talk to");
    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "At the end of input, seconds to wait for delivery of what was sent (then exit 75, the rest stays queued)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => SendCommand.DefaultTimeoutSeconds,
    };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client connect 7yq…7qd.hpc", "talk to them; Ctrl-D to end"),
        new("printf 'one\\ntwo\\n' | hpc-client connect 7yq…7qd.hpc", "sends two messages, prints any that come back, exits once both are delivered"),
    ];

    protected override void Define(Command command)
    {
        command.Arguments.Add(_contact);
        command.Options.Add(_timeout);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var contact = context.Parse.GetValue(_contact)!;
        var timeout = TimeSpan.FromSeconds(Math.Clamp(context.Parse.GetValue(_timeout), 1, 86_400));
        await using var session = await ClientSessions.OpenOnlineAsync(context, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = await session.SubscribeAsync(stop.Token).ConfigureAwait(false);
        var interactive = context.Console.InputIsTerminal;
        var name = await NameOfAsync(session, contact, cancellationToken).ConfigureAwait(false);
        if (interactive)
        {
            await ShowRecentAsync(context, session, contact, name, cancellationToken).ConfigureAwait(false);
            await context.Console.Error.WriteLineAsync($"talking to {name}; type a message and Enter; Ctrl-D ends.").ConfigureAwait(false);
        }

        var tracker = new DeliveryTracker();
        var printing = PrintAsync(context, events, contact, name, tracker, interactive, stop.Token);
        var input = Console.In;
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                var message = await session.SendAsync(contact, line, cancellationToken).ConfigureAwait(false);
                tracker.Sent(message.Sequence);
            }
            catch (ArgumentException e)
            {
                await context.Console.Error.WriteLineAsync("not sent: " + e.Message).ConfigureAwait(false);
            }
        }

        // End of input: wait (bounded) until everything sent is acknowledged.
        using var limit = new CancellationTokenSource(timeout, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var delivered = await tracker.AllDeliveredAsync(linked.Token).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await printing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!delivered)
        {
            throw new CliException(CliError.NotDelivered,
                $"{tracker.Undelivered} message(s) not delivered within {timeout.TotalSeconds:0} s; they stay queued and go out when {name} is reachable and a messenger runs.");
        }
    }

    private static async Task<string> NameOfAsync(IClientSession session, HiddenId contact, CancellationToken cancellationToken)
    {
        var known = (await session.ContactsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.HiddenId == contact);
        return known is { Name.Length: > 0 } ? known.Name : contact.ToString();
    }

    private static async Task ShowRecentAsync(VerbContext context, IClientSession session, HiddenId contact, string name, CancellationToken cancellationToken)
    {
        var page = await session.HistoryAsync(contact, 10, null, cancellationToken).ConfigureAwait(false);
        foreach (var entry in page.Entries)
        {
            var who = entry.Direction == MessageDirection.Outgoing ? "you" : name;
            await context.Console.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{entry.StoredAt.ToLocalTime():HH:mm}] {who}: {Encoding.UTF8.GetString(entry.Body.Span)}")).ConfigureAwait(false);
        }
    }

    private static async Task PrintAsync(
        VerbContext context, ChannelReader<MessagingEvent> events, HiddenId contact, string name, DeliveryTracker tracker, bool interactive, CancellationToken cancellationToken)
    {
        await foreach (var messagingEvent in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (messagingEvent)
            {
                case MessageReceived received when received.Message.Contact == contact:
                    var text = Encoding.UTF8.GetString(received.Message.Body.Span);
                    await context.Console.Output.WriteLineAsync(interactive
                        ? string.Create(CultureInfo.InvariantCulture, $"[{received.Message.ReceivedAt.ToLocalTime():HH:mm}] {name}: {text}")
                        : text).ConfigureAwait(false);
                    await context.Console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    break;
                case DeliveryStateChanged { State: DeliveryState.Delivered } changed when changed.Contact == contact:
                    tracker.Delivered(changed.Sequence);
                    if (interactive)
                    {
                        await context.Console.Error.WriteLineAsync($"  ✓ delivered (#{changed.Sequence})").ConfigureAwait(false);
                    }

                    break;
                case ConversationStatusChanged { Status: ConversationStatus.WaitingForContact } waiting when waiting.Contact == contact && interactive:
                    await context.Console.Error.WriteLineAsync($"  waiting for {name} ({waiting.Reason}); messages stay queued").ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>The highest sequence sent and the highest acknowledged (acknowledgements are cumulative).</summary>
    private sealed class DeliveryTracker
    {
        private readonly Lock _gate = new();
        private ulong _sent;
        private ulong _delivered;
        private ulong _firstSent;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Undelivered
        {
            get
            {
                lock (_gate)
                {
                    return _sent == 0 ? 0 : (int)(_sent - Math.Max(_delivered, _firstSent - 1));
                }
            }
        }

        public void Sent(ulong sequence)
        {
            lock (_gate)
            {
                _firstSent = _firstSent == 0 ? sequence : _firstSent;
                _sent = Math.Max(_sent, sequence);
            }
        }

        public void Delivered(ulong sequence)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _delivered = Math.Max(_delivered, sequence);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }

        public async Task<bool> AllDeliveredAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (_delivered >= _sent)
                    {
                        return true;
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }
}
