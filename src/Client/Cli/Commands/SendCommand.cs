using System.CommandLine;
using System.Globalization;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client send &lt;hidden-id&gt; &lt;text&gt;</c>: queues one message and waits until the contact acknowledges it.
/// Exit 0 once delivered; 75 when it was not within <c>--timeout</c> (it stays in the outbox, with the reason); 1 when
/// the contact refused it.
/// </summary>
internal sealed class SendCommand() : CliVerb("send",
    "Send one message and wait until it is delivered. Through the client daemon when one runs; otherwise this command " +
    "runs the messenger itself until the message is delivered or the timeout passes. A message not delivered stays " +
    "queued and goes out with the next messenger that runs (the daemon, or another command).")
{
    /// <summary>The default wait for delivery.</summary>
    public const int DefaultTimeoutSeconds = 120;

    private readonly Argument<HiddenId> _to = HiddenIdArgument.Create("hidden-id", "The recipient's hidden-id");
    private readonly Argument<string> _text = new("text") { Description = "The message (UTF-8, at most 16,384 bytes)" };
    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "Seconds to wait for delivery before giving up (the message stays queued; exit 75)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
    };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client send 7yq…7qd.hpc 'see you at eight'", "sends and waits until delivered"),
        new("hpc-client send 7yq…7qd.hpc \"$(date)\" --timeout 30 || echo still queued", "a script that does not wait long"),
    ];

    protected override void Define(Command command)
    {
        command.Arguments.Add(_to);
        command.Arguments.Add(_text);
        command.Options.Add(_timeout);
        AddJsonOption(command);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var to = context.Parse.GetValue(_to)!;
        var text = context.Parse.GetValue(_text) ?? "";
        var timeout = TimeSpan.FromSeconds(Math.Clamp(context.Parse.GetValue(_timeout), 1, 86_400));
        await using var session = await ClientSessions.OpenOnlineAsync(context, cancellationToken).ConfigureAwait(false);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = await session.SubscribeAsync(watching.Token).ConfigureAwait(false);
        OutgoingMessage message;
        try
        {
            message = await session.SendAsync(to, text, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliError.Usage, e.Message, e);
        }

        var started = context.Time.GetTimestamp();
        var (state, reason, waiting) = await WaitAsync(events, message, timeout, context.Time, cancellationToken).ConfigureAwait(false);
        var elapsed = context.Time.GetElapsedTime(started);
        await watching.CancelAsync().ConfigureAwait(false);
        if (Json(context))
        {
            await JsonOutput.WriteAsync(context.Console.Output, json =>
            {
                json.WriteStartObject();
                json.WriteString("id", message.Id.ToString());
                json.WriteNumber("sequence", message.Sequence);
                json.WriteString("state", state.ToString().ToLowerInvariant());
                json.WriteString("reason", state == DeliveryState.Failed ? reason.ToString() : waiting.ToString());
                json.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else if (state == DeliveryState.Delivered)
        {
            context.Console.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"delivered in {elapsed.TotalSeconds:0.0} s"));
        }

        switch (state)
        {
            case DeliveryState.Delivered:
                return;
            case DeliveryState.Failed:
                throw new CliException(CliError.DeliveryFailed, $"the message failed: {reason} (the contact refused it).");
            default:
                throw new CliException(CliError.NotDelivered,
                    $"not delivered within {timeout.TotalSeconds:0} s ({Waiting(waiting)}); the message stays queued (id {message.Id}) " +
                    "and goes out when the contact is reachable and a messenger runs (`hpc-client daemon`).");
        }
    }

    private static string Waiting(WaitReason reason) => reason switch
    {
        WaitReason.Unreachable => "waiting for the contact: their hidden point could not be reached",
        WaitReason.RequestRateLimited => "the contact takes no more contact requests for now",
        WaitReason.UnsupportedVersion => "the contact speaks another protocol version",
        WaitReason.HandshakeFailed => "the contact refused the handshake",
        WaitReason.Blocked => "the contact blocked you",
        _ => "still on its way",
    };

    private static async Task<(DeliveryState State, FailureReason Reason, WaitReason Waiting)> WaitAsync(
        System.Threading.Channels.ChannelReader<MessagingEvent> events, OutgoingMessage message, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var waiting = WaitReason.None;
        try
        {
            await foreach (var messagingEvent in events.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                switch (messagingEvent)
                {
                    // Acknowledgements are cumulative, so a later message delivered means this one was too.
                    case DeliveryStateChanged changed when changed.Contact == message.Contact && changed.State == DeliveryState.Delivered && changed.Sequence >= message.Sequence:
                        return (DeliveryState.Delivered, FailureReason.None, WaitReason.None);
                    case DeliveryStateChanged changed when changed.Id == message.Id && changed.State == DeliveryState.Failed:
                        return (DeliveryState.Failed, changed.Reason, WaitReason.None);
                    case ConversationStatusChanged status when status.Contact == message.Contact:
                        waiting = status.Reason;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }

        return (DeliveryState.Queued, FailureReason.None, waiting);
    }
}
