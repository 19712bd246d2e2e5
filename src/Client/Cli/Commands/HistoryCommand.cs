using System.CommandLine;
using System.Globalization;
using System.Text;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary><c>hpc-client history &lt;contact&gt;</c>: the latest messages with a contact (by name or hidden-id), oldest first, with delivery states.</summary>
internal sealed class HistoryCommand() : CliVerb("history",
    "Show the latest messages with a contact, oldest first: time, who wrote, delivery state and text.")
{
    private readonly Argument<string> _contact = new("contact") { Description = "The contact's name or hidden-id" };
    private readonly Option<int> _count = new("--count", "-n") { Description = "How many messages (1 to 1000)", DefaultValueFactory = _ => 20, HelpName = "N" };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client history alice", "the last 20 messages with alice"),
        new("hpc-client history alice -n 200 --json", "the last 200, for a script"),
    ];

    protected override void Define(Command command)
    {
        command.Arguments.Add(_contact);
        command.Options.Add(_count);
        AddJsonOption(command);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var count = Math.Clamp(context.Parse.GetValue(_count), 1, MessageStore.MaxPageSize);
        await using var session = await ClientSessions.OpenOfflineAsync(context, cancellationToken).ConfigureAwait(false);
        var (contact, name) = await ResolveAsync(session, context.Parse.GetValue(_contact) ?? "", cancellationToken).ConfigureAwait(false);
        var page = await session.HistoryAsync(contact, count, null, cancellationToken).ConfigureAwait(false);
        if (Json(context))
        {
            await JsonOutput.WriteAsync(context.Console.Output, json =>
            {
                json.WriteStartObject();
                json.WriteString("contact", contact.ToString());
                json.WriteStartArray("messages");
                foreach (var entry in page.Entries)
                {
                    json.WriteStartObject();
                    json.WriteString("direction", entry.Direction == MessageDirection.Outgoing ? "sent" : "received");
                    json.WriteString("id", entry.Id.ToString());
                    json.WriteNumber("sequence", entry.Sequence);
                    json.WriteString("at", entry.StoredAt);
                    json.WriteString("state", entry.State.ToString().ToLowerInvariant());
                    json.WriteString("text", Encoding.UTF8.GetString(entry.Body.Span));
                    json.WriteBoolean("damaged", entry.Damaged);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        if (page.Entries.Count == 0)
        {
            context.Console.Output.WriteLine($"No messages with {name} yet.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Time").AddColumn("From").AddColumn("State").AddColumn("Message");
        foreach (var entry in page.Entries)
        {
            var outgoing = entry.Direction == MessageDirection.Outgoing;
            table.AddRow(
                entry.StoredAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                Markup.Escape(outgoing ? "you" : name),
                outgoing ? State(entry.State) : "",
                Markup.Escape(entry.Damaged ? "(damaged on disk)" : Encoding.UTF8.GetString(entry.Body.Span)));
        }

        context.Console.Out.Write(table);
    }

    /// <summary>A contact by hidden-id or by name (unique among contacts).</summary>
    internal static async Task<(HiddenId Id, string Name)> ResolveAsync(IClientSession session, string text, CancellationToken cancellationToken)
    {
        var contacts = await session.ContactsAsync(cancellationToken).ConfigureAwait(false);
        if (HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out _))
        {
            var known = contacts.FirstOrDefault(c => c.HiddenId == id);
            return (id!, known is { Name.Length: > 0 } ? known.Name : id!.ToString());
        }

        var named = contacts.Where(c => string.Equals(c.Name, text, StringComparison.CurrentCultureIgnoreCase)).ToList();
        return named.Count switch
        {
            1 => (named[0].HiddenId, named[0].Name),
            0 => throw new CliException(CliError.Usage, $"no contact is named '{text}' (and it is not a hidden-id); `hpc-client contacts` lists them."),
            _ => throw new CliException(CliError.Usage, $"{named.Count} contacts are named '{text}'; give the hidden-id."),
        };
    }

    private static string State(DeliveryState state) => state switch
    {
        DeliveryState.Queued => "queued",
        DeliveryState.Sent => "sent",
        DeliveryState.Delivered => "delivered",
        _ => "failed",
    };
}
