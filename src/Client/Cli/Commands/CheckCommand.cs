using System.Text.Json;
using System.CommandLine;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Messaging.Storage;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client check</c>: opens the message store with the passphrase, authenticates every sealed value in it
/// (<see cref="MessageStore.VerifyAsync"/>) and prints what it holds. Proves the passphrase and the store; exit 65 when
/// a value does not authenticate. The store is opened read-only in effect: nothing is written.
/// </summary>
internal sealed class CheckCommand() : CliVerb("check",
    "Open the encrypted message store with your passphrase, check every value in it, and show what it holds: contacts, " +
    "requests, messages queued, sent, delivered, failed and received.")
{
    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client check", "asks for the passphrase, checks the store and prints the counts"),
        new("HPC_PASSPHRASE_FILE=~/.hpc-pass hpc-client check --json", "the same for a script"),
    ];

    protected override void Define(Command command) => AddJsonOption(command);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var options = configuration.StoreOptions(create: false);
        if (!File.Exists(options.DatabasePath))
        {
            throw new CliException(CliError.NotInitialized,
                $"no message store at {options.DatabasePath}. Run `hpc-client init` first (or give the data directory that holds it with --data-dir).");
        }

        var source = PassphraseSources.Choose(context.Console, newStore: false);
        StoreCounts counts;
        StoreVerification verification;
        using (var store = await MessageStore.OpenAsync(options, source, context.Time, null, cancellationToken).ConfigureAwait(false))
        {
            verification = await store.VerifyAsync(cancellationToken).ConfigureAwait(false);
            counts = await store.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Json(context))
        {
            await JsonOutput.WriteAsync(context.Console.Output, json => WriteJson(json, options.DatabasePath, counts, verification)).ConfigureAwait(false);
        }
        else
        {
            Render(context.Console.Out, options.DatabasePath, counts, verification);
        }

        if (!verification.IsIntact)
        {
            throw new CliException(CliError.StoreDamaged,
                $"{Damaged(verification)} in {options.DatabasePath} do not authenticate (changed on disk); the rest is intact. " +
                "Keep a copy of the file; see docs/messaging-store.md §6.");
        }
    }

    private static void Render(IAnsiConsole console, string path, StoreCounts counts, StoreVerification verification)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Message store").AddColumn(new TableColumn("Count").RightAligned());
        table.AddRow("contacts", Count(counts.Contacts));
        table.AddRow("contact requests", Count(counts.Requests));
        table.AddRow("queued", Count(counts.Queued));
        table.AddRow("sent, not yet delivered", Count(counts.Sent));
        table.AddRow("delivered", Count(counts.Delivered));
        table.AddRow("failed", Count(counts.Failed));
        table.AddRow("received", Count(counts.Received));
        console.Write(table);
        console.WriteLine(path + (verification.IsIntact ? ": every value authenticates." : ": " + Damaged(verification) + " damaged."));
    }

    private static void WriteJson(Utf8JsonWriter json, string path, StoreCounts counts, StoreVerification verification)
    {
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteBoolean("intact", verification.IsIntact);
        json.WriteNumber("contacts", counts.Contacts);
        json.WriteNumber("requests", counts.Requests);
        json.WriteNumber("queued", counts.Queued);
        json.WriteNumber("sent", counts.Sent);
        json.WriteNumber("delivered", counts.Delivered);
        json.WriteNumber("failed", counts.Failed);
        json.WriteNumber("received", counts.Received);
        json.WriteStartObject("damaged");
        json.WriteNumber("contacts", verification.DamagedContacts);
        json.WriteNumber("messages", verification.DamagedMessages);
        json.WriteNumber("conversations", verification.DamagedConversations);
        json.WriteNumber("settings", verification.DamagedSettings);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Count(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Damaged(StoreVerification v) =>
        $"{v.DamagedContacts + v.DamagedMessages + v.DamagedConversations + v.DamagedSettings} rows";
}
