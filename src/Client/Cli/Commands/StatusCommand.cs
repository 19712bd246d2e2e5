using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Messaging.Service;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client status</c>: consensus age, guards, hidden point published, introduction points, queued and delivered
/// counts, and conversations waiting for their contact — from the daemon when one runs; otherwise the store's counts
/// and "offline".
/// </summary>
internal sealed class StatusCommand() : CliVerb("status",
    "Show where the client stands: whether the daemon runs, the consensus and its age, the primary guards, whether " +
    "the hidden point is published, and the message counts (queued, delivered, received, requests).")
{
    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client status", "a table"),
        new("hpc-client status --json | jq .published", "whether the hidden point is published"),
    ];

    protected override void Define(Command command) => AddJsonOption(command);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        await using var session = await ClientSessions.OpenOfflineAsync(context, cancellationToken).ConfigureAwait(false);
        var status = await session.StatusAsync(cancellationToken).ConfigureAwait(false);
        var online = session.Kind == SessionKind.Daemon;
        var now = context.Time.GetUtcNow();
        if (Json(context))
        {
            await JsonOutput.WriteAsync(context.Console.Output, json => WriteJson(json, status, online, now)).ConfigureAwait(false);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        table.AddRow("hidden-id", Markup.Escape(status.HiddenId.ToString()));
        table.AddRow("daemon", online ? "running" : "not running (the hidden point is offline; `hpc-client daemon` starts it)");
        if (online)
        {
            table.AddRow("consensus", status.ConsensusValidAfter is { } validAfter
                ? string.Create(CultureInfo.InvariantCulture, $"{status.RelaysListed} relays, {Age(now - validAfter)} old")
                : "none yet");
            if (status.ConsensusSignatures is { } signatures)
            {
                table.AddRow("authorities", Markup.Escape(Signatures(signatures)));
            }

            table.AddRow("primary guards", Markup.Escape(status.PrimaryGuards.Count == 0 ? "-" : string.Join(", ", status.PrimaryGuards)));
            table.AddRow("hidden point", Markup.Escape(HiddenPoint(status, now)));
        }

        var counts = status.Counts;
        table.AddRow("messages", string.Create(CultureInfo.InvariantCulture,
            $"{counts.Queued + counts.Sent} queued, {counts.Delivered} delivered, {counts.Failed} failed, {counts.Received} received"));
        table.AddRow("contacts", string.Create(CultureInfo.InvariantCulture, $"{counts.Contacts} contacts, {counts.Requests} requests"));
        foreach (var waiting in status.Conversations.Where(c => c.Status == Messaging.Conversations.ConversationStatus.WaitingForContact))
        {
            table.AddRow("waiting", Markup.Escape($"{waiting.Contact}: {waiting.Reason}"));
        }

        context.Console.Out.Write(table);
    }

    // "Degraded" when uploads were made and no HSDir's latest answer stored one: contacts looking the hidden point up
    // may find nothing until a retry gets through (the daemon keeps retrying; docs/client.md §4.4).
    private static string HiddenPoint(MessengerStatus status, DateTimeOffset now)
    {
        var publication = status.Publication;
        var stored = publication.LastStoredAt is { } at ? "last stored " + Age(now - at) + " ago" : "never stored";
        return publication.Degraded
            ? string.Create(CultureInfo.InvariantCulture,
                $"DEGRADED: no HSDir took the latest {publication.Targets} descriptor uploads ({stored}); {status.IntroductionPoints} introduction points; retrying")
            : status.Published
                ? string.Create(CultureInfo.InvariantCulture,
                    $"published, {status.IntroductionPoints} introduction points, {publication.Copies} of {publication.Targets} descriptor copies stored")
                : "not yet published";
    }

    // A consensus counts with more than half of the pinned authorities' signatures; naming the ones missing tells the
    // operator how many more can fail before no new consensus is accepted.
    private static string Signatures(ConsensusSignatureReport signatures) => signatures.Complete
        ? string.Create(CultureInfo.InvariantCulture, $"all {signatures.Pinned} signed the consensus")
        : string.Create(CultureInfo.InvariantCulture,
            $"{signatures.Signers} of {signatures.Pinned} signed the consensus; not signed by {string.Join(", ", signatures.Missing)}");

    private static string Age(TimeSpan age) => age.TotalMinutes < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalSeconds):0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:0} min");

    private static void WriteJson(Utf8JsonWriter json, MessengerStatus status, bool online, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteString("hiddenId", status.HiddenId.ToString());
        json.WriteBoolean("daemon", online);
        if (status.ConsensusValidAfter is { } validAfter)
        {
            json.WriteString("consensusValidAfter", validAfter);
            json.WriteNumber("consensusAgeSeconds", Math.Round((now - validAfter).TotalSeconds));
        }

        json.WriteNumber("relays", status.RelaysListed);
        if (status.ConsensusSignatures is { } signatures)
        {
            json.WriteStartObject("consensusSignatures");
            json.WriteNumber("signers", signatures.Signers);
            json.WriteNumber("pinned", signatures.Pinned);
            json.WriteStartArray("missing");
            foreach (var nickname in signatures.Missing)
            {
                json.WriteStringValue(nickname);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteStartArray("primaryGuards");
        foreach (var guard in status.PrimaryGuards)
        {
            json.WriteStringValue(guard);
        }

        json.WriteEndArray();
        json.WriteBoolean("published", status.Published);
        json.WriteNumber("introductionPoints", status.IntroductionPoints);
        json.WriteStartObject("descriptor");
        json.WriteNumber("copies", status.Publication.Copies);
        json.WriteNumber("targets", status.Publication.Targets);
        if (status.Publication.LastStoredAt is { } storedAt)
        {
            json.WriteString("storedAt", storedAt);
        }

        json.WriteBoolean("degraded", status.Publication.Degraded);
        json.WriteEndObject();
        json.WriteStartObject("messages");
        json.WriteNumber("queued", status.Counts.Queued + status.Counts.Sent);
        json.WriteNumber("delivered", status.Counts.Delivered);
        json.WriteNumber("failed", status.Counts.Failed);
        json.WriteNumber("received", status.Counts.Received);
        json.WriteEndObject();
        json.WriteNumber("contacts", status.Counts.Contacts);
        json.WriteNumber("requests", status.Counts.Requests);
        json.WriteEndObject();
    }
}
