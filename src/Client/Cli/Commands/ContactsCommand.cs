using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client contacts list|add|remove|rename|block|accept|reject</c>: the contact list, its requests and blocks.
/// Through the daemon when one runs (it takes effect at once); otherwise in the store, read by the next messenger.
/// </summary>
internal sealed class ContactsCommand() : CliVerb("contacts",
    "Show or change your contacts. list: contacts, requests (unknown senders waiting for your answer) and blocked " +
    "senders. add ID NAME: accept messages from ID. rename ID NAME. remove ID: their next message is a request " +
    "again. block ID: refuse them before anything of theirs is stored. accept ID NAME / reject ID: answer a request " +
    "(reject removes its messages).")
{
    private static readonly string[] s_actions = ["list", "add", "remove", "rename", "block", "accept", "reject"];

    private readonly Argument<string> _action = new("action") { Description = "list, add, remove, rename, block, accept or reject", DefaultValueFactory = _ => "list" };
    private readonly Argument<string[]> _rest = new("arguments") { Description = "The hidden-id, then the name where the action takes one", Arity = ArgumentArity.ZeroOrMore };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client contacts", "the list, as a table"),
        new("hpc-client contacts add 7yq…7qd.hpc alice", "adds alice"),
        new("hpc-client contacts accept 3kf…2aa.hpc bob", "accepts bob's contact request"),
        new("hpc-client contacts list --json | jq -r '.contacts[] | select(.state == \"requested\") | .hiddenId'", "pending requests, for a script"),
    ];

    protected override void Define(Command command)
    {
        _action.AcceptOnlyFromAmong(s_actions);
        command.Arguments.Add(_action);
        command.Arguments.Add(_rest);
        AddJsonOption(command);
        command.Validators.Add(Validate);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var action = context.Parse.GetValue(_action) ?? "list";
        var rest = context.Parse.GetValue(_rest) ?? [];
        await using var session = await ClientSessions.OpenOfflineAsync(context, cancellationToken).ConfigureAwait(false);
        if (action == "list")
        {
            var contacts = await session.ContactsAsync(cancellationToken).ConfigureAwait(false);
            if (Json(context))
            {
                await JsonOutput.WriteAsync(context.Console.Output, json => WriteJson(json, contacts)).ConfigureAwait(false);
            }
            else
            {
                Render(context.Console.Out, contacts);
            }

            return;
        }

        var id = ParseId(rest[0]);
        var name = rest.Length > 1 ? string.Join(' ', rest.Skip(1)) : null;
        var change = action switch
        {
            "add" => ContactChange.Add,
            "remove" => ContactChange.Remove,
            "rename" => ContactChange.Rename,
            "block" => ContactChange.Block,
            "accept" => ContactChange.Accept,
            _ => ContactChange.Reject,
        };
        ContactResult result;
        try
        {
            result = await session.ChangeContactAsync(change, id, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliError.Usage, e.Message, e);
        }

        var message = result switch
        {
            ContactResult.Added => $"{action}: added.",
            ContactResult.Updated => $"{action}: done.",
            ContactResult.Removed => $"{action}: removed.",
            ContactResult.NotFound => throw new CliException(CliError.Usage, $"{action}: no contact or request has that hidden-id."),
            ContactResult.AlreadyExists => throw new CliException(CliError.Usage, $"{action}: that hidden-id is in the list already (rename, block or remove it)."),
            _ => throw new CliException(CliError.Usage, $"{action}: that hidden-id is not a pending request."),
        };
        context.Console.Output.WriteLine(message);
    }

    private void Validate(CommandResult result)
    {
        var action = result.GetValue(_action) ?? "list";
        var count = result.GetValue(_rest)?.Length ?? 0;
        var (wanted, usage) = action switch
        {
            "list" => (0, "contacts list"),
            "add" or "rename" or "accept" => (2, $"contacts {action} HIDDEN-ID NAME"),
            _ => (1, $"contacts {action} HIDDEN-ID"),
        };
        if (wanted == 2 ? count < 2 : count != wanted)
        {
            result.AddError($"usage: hpc-client {usage}");
        }
    }

    private static HiddenId ParseId(string text) => HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out var error)
        ? id!
        : throw new CliException(CliError.Usage, $"'{text}' is not a hidden-id ({error}); `hpc-client id` prints yours.");

    private static string State(ContactState state) => state switch
    {
        ContactState.Accepted => "contact",
        ContactState.Requested => "requested",
        _ => "blocked",
    };

    private static void Render(IAnsiConsole console, IReadOnlyList<Contact> contacts)
    {
        if (contacts.Count == 0)
        {
            console.WriteLine("No contacts yet: `hpc-client contacts add HIDDEN-ID NAME` adds one.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("State").AddColumn("Hidden-id").AddColumn("Since");
        foreach (var contact in contacts.OrderBy(c => c.State).ThenBy(c => c.Name, StringComparer.CurrentCulture))
        {
            table.AddRow(
                Markup.Escape(contact.Name.Length == 0 ? "-" : contact.Name),
                State(contact.State),
                Markup.Escape(contact.HiddenId.ToString()),
                contact.Created.ToLocalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<Contact> contacts)
    {
        json.WriteStartObject();
        json.WriteStartArray("contacts");
        foreach (var contact in contacts)
        {
            json.WriteStartObject();
            json.WriteString("name", contact.Name);
            json.WriteString("state", State(contact.State));
            json.WriteString("hiddenId", contact.HiddenId.ToString());
            json.WriteString("created", contact.Created);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
