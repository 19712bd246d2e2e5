using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Conversations;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary><c>hpc-client listen</c>: stays online and prints each incoming message and contact request until Ctrl-C.</summary>
internal sealed class ListenCommand() : CliVerb("listen",
    "Stay online and print each message and contact request as it arrives, until Ctrl-C. Through the daemon when one " +
    "runs; otherwise this command keeps the hidden point online while it runs. With --json, one JSON object per line.")
{
    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client listen", "prints incoming messages"),
        new("hpc-client listen --json | jq -r 'select(.event == \"message\") | .text'", "just the texts"),
    ];

    protected override void Define(Command command) => AddJsonOption(command);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        await using var session = await ClientSessions.OpenOnlineAsync(context, cancellationToken).ConfigureAwait(false);
        var events = await session.SubscribeAsync(cancellationToken).ConfigureAwait(false);
        var names = (await session.ContactsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.HiddenId, c => c.Name);
        var json = Json(context);
        if (!json)
        {
            await context.Console.Error.WriteLineAsync($"online as {session.Self}; waiting for messages (Ctrl-C stops).").ConfigureAwait(false);
        }

        try
        {
            await foreach (var messagingEvent in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var line = json ? JsonLine(messagingEvent) : TextLine(messagingEvent, names);
                if (line is not null)
                {
                    await context.Console.Output.WriteLineAsync(line).ConfigureAwait(false);
                    await context.Console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: a normal end for a command that listens until stopped.
        }
    }

    private static string? TextLine(MessagingEvent messagingEvent, Dictionary<Crypto.HiddenPoints.HiddenId, string> names) => messagingEvent switch
    {
        MessageReceived received => string.Create(CultureInfo.InvariantCulture,
            $"[{received.Message.ReceivedAt.ToLocalTime():HH:mm:ss}] {SenderName(received.Message.Contact, names)}{(received.FromContactRequest ? " (request)" : "")}: {Encoding.UTF8.GetString(received.Message.Body.Span)}"),
        ContactRequestReceived request => $"contact request from {request.Contact}: `hpc-client contacts accept {request.Contact} NAME` or `reject`",
        _ => null,
    };

    private static string SenderName(Crypto.HiddenPoints.HiddenId id, Dictionary<Crypto.HiddenPoints.HiddenId, string> names) =>
        names.TryGetValue(id, out var name) && name.Length > 0 ? name : id.ToString();

    private static string? JsonLine(MessagingEvent messagingEvent)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            switch (messagingEvent)
            {
                case MessageReceived received:
                    json.WriteStartObject();
                    json.WriteString("event", "message");
                    json.WriteString("from", received.Message.Contact.ToString());
                    json.WriteString("id", received.Message.Id.ToString());
                    json.WriteNumber("sequence", received.Message.Sequence);
                    json.WriteString("at", received.Message.ReceivedAt);
                    json.WriteBoolean("request", received.FromContactRequest);
                    json.WriteString("text", Encoding.UTF8.GetString(received.Message.Body.Span));
                    json.WriteEndObject();
                    break;
                case ContactRequestReceived request:
                    json.WriteStartObject();
                    json.WriteString("event", "request");
                    json.WriteString("from", request.Contact.ToString());
                    json.WriteEndObject();
                    break;
                default:
                    return null;
            }
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
