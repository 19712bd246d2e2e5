using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Directory;
using HiddenPoint.Protocol.Documents;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client relays</c>: the relays of the consensus, fetched and verified as the client core does it (its
/// <see cref="ClientDirectory"/>: the cache file in the data directory first, else the authorities; a cached consensus
/// past fresh-until is refreshed once, and shown anyway if that fails). Runs a client core for the directory part only:
/// no circuit pool, no hidden point.
/// </summary>
internal sealed class RelaysCommand() : CliVerb("relays",
    "List the relays of the network's consensus: nickname, flags, bandwidth weight, address and its /16, and family. " +
    "The consensus comes from the cache in the data directory, else from the directory authorities, and is checked " +
    "against their signatures.")
{
    /// <summary>The default bound on fetching.</summary>
    public const int DefaultTimeoutSeconds = 60;

    private static readonly RelayFlags[] s_flags = [.. Enum.GetValues<RelayFlags>().Where(f => f != RelayFlags.None)];

    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "Give up fetching the consensus after this many seconds (exit 69)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
        CustomParser = ParseTimeout,
    };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client relays", "the relays as a table"),
        new("hpc-client relays --json | jq -r '.relays[] | select(.flags | index(\"Guard\")) | .nickname'",
            "the nicknames of the relays flagged Guard"),
    ];

    protected override void Define(Command command)
    {
        command.Options.Add(_timeout);
        AddJsonOption(command);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var options = configuration.CoreOptions();
        if (options.Directory.Authorities.Count == 0)
        {
            throw new CliException(CliError.Configuration,
                "no directory authority is configured. Give them to `hpc-client init --authority …`, or add Client:Directory:Authorities " +
                $"to {configuration.File ?? configuration.Data.ConfigFile} (see docs/cli.md).");
        }

        options.Validate();
        var timeout = TimeSpan.FromSeconds(context.Parse.GetValue(_timeout));
        var authorities = string.Join(", ", options.Directory.Authorities.Select(a => a.Address));
        using var services = new CliServices(configuration.Root);
        var core = ClientCore.Create(options, context.Time, services.Loggers, services.Meters);
        await using (core.ConfigureAwait(false))
        {
            var started = context.Time.GetTimestamp();
            var refreshNote = await WithProgressAsync(context, started, token => FetchAsync(core.Directory, authorities, context.Time, timeout, token), cancellationToken).ConfigureAwait(false);
            var elapsed = context.Time.GetElapsedTime(started);
            var consensus = core.Consensus.GetUsable();
            if (Json(context))
            {
                await JsonOutput.WriteAsync(context.Console.Output, json => WriteJson(json, consensus, core.Directory.LastSource, elapsed)).ConfigureAwait(false);
                return;
            }

            Render(context.Console.Out, consensus, core.Directory.LastSource, elapsed, refreshNote);
        }
    }

    private static int ParseTimeout(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 3600)
        {
            return seconds;
        }

        result.AddError($"--timeout: '{text}' is not a number of seconds from 1 to 3600.");
        return DefaultTimeoutSeconds;
    }

    // Bootstraps within the timeout, then refreshes a consensus that is past fresh-until once, best effort. Returns a
    // note for the user when that refresh failed.
    private static async Task<string?> FetchAsync(ClientDirectory directory, string authorities, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            await directory.BootstrapAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException(CliError.NetworkUnavailable,
                $"no usable consensus within {timeout.TotalSeconds:0} s: none of the directory authorities ({authorities}) answered with one " +
                "signed by a majority of them, and the cache held none. Check their addresses and identities in the configuration " +
                "and the network; --Logging:LogLevel:Default=Information shows each attempt.");
        }

        var held = directory.Holder.Latest!;
        if (directory.LastSource != ConsensusSourceKind.DiskCache || time.GetUtcNow() < held.FreshUntil)
        {
            return null;
        }

        try
        {
            return await directory.FetchOnceAsync(linked.Token).ConfigureAwait(false) is null
                ? "the cached consensus is past fresh-until and no source gave a newer one"
                : null;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return "the cached consensus is past fresh-until and the refresh did not finish in time";
        }
    }

    // Live "fetching consensus… 2.4 s" on standard error when it is a terminal; nothing otherwise.
    private static async Task<T> WithProgressAsync<T>(VerbContext context, long started, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!context.Console.ErrorIsTerminal)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        return await context.Console.Progress.Status().Spinner(Spinner.Known.Dots).StartAsync("fetching consensus…", async status =>
        {
            var running = work(cancellationToken);
            while (!running.IsCompleted)
            {
                status.Status(string.Create(CultureInfo.InvariantCulture, $"fetching consensus… {context.Time.GetElapsedTime(started).TotalSeconds:0.0} s"));
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromMilliseconds(100), context.Time, cancellationToken)).ConfigureAwait(false);
            }

            return await running.ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static void Render(IAnsiConsole console, Consensus consensus, ConsensusSourceKind? source, TimeSpan elapsed, string? note)
    {
        var total = consensus.Relays.Sum(r => (double)r.BandwidthWeight);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Nickname")
            .AddColumn("Flags")
            .AddColumn(new TableColumn("Bandwidth").RightAligned())
            .AddColumn("Address")
            .AddColumn("/16")
            .AddColumn("Family");
        foreach (var relay in Ordered(consensus))
        {
            var share = total > 0 ? relay.BandwidthWeight / total : 0;
            var address = relay.Addresses[0];
            table.AddRow(
                Markup.Escape(relay.Nickname),
                Markup.Escape(Flags(relay.Flags)),
                Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{relay.BandwidthWeight} ({share:0.0%})")),
                Markup.Escape(address.ToString()),
                Markup.Escape(AddressBlock.Of(address.Address)),
                Markup.Escape(Family(consensus, relay) is { Count: > 0 } family ? string.Join(", ", family.Select(f => f.Nickname)) : "-"));
        }

        table.Caption = new TableTitle(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{consensus.Relays.Count} relays · valid {consensus.ValidAfter:yyyy-MM-dd HH:mm} to {consensus.ValidUntil:yyyy-MM-dd HH:mm} UTC, " +
            $"fresh until {consensus.FreshUntil:HH:mm} · {SourceName(source)}, {elapsed.TotalSeconds:0.0} s")));
        console.Write(table);
        if (note is not null)
        {
            console.WriteLine("Note: " + note + ".");
        }
    }

    private static void WriteJson(Utf8JsonWriter json, Consensus consensus, ConsensusSourceKind? source, TimeSpan elapsed)
    {
        json.WriteStartObject();
        json.WriteString("validAfter", consensus.ValidAfter);
        json.WriteString("freshUntil", consensus.FreshUntil);
        json.WriteString("validUntil", consensus.ValidUntil);
        json.WriteString("source", source switch
        {
            ConsensusSourceKind.DiskCache => "cache",
            ConsensusSourceKind.Guard => "guard",
            ConsensusSourceKind.Authority => "authority",
            _ => "none",
        });
        json.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
        json.WriteStartArray("relays");
        foreach (var relay in Ordered(consensus))
        {
            json.WriteStartObject();
            json.WriteString("nickname", relay.Nickname);
            json.WriteString("id", relay.Id.ToString());
            json.WriteStartArray("flags");
            foreach (var flag in s_flags.Where(f => relay.Flags.HasFlag(f)))
            {
                json.WriteStringValue(flag.ToString());
            }

            json.WriteEndArray();
            json.WriteNumber("bandwidth", relay.BandwidthWeight);
            json.WriteStartArray("addresses");
            foreach (var address in relay.Addresses)
            {
                json.WriteStringValue(address.ToString());
            }

            json.WriteEndArray();
            json.WriteString("subnet", AddressBlock.Of(relay.Addresses[0].Address));
            json.WriteStartArray("family");
            foreach (var member in Family(consensus, relay))
            {
                json.WriteStringValue(member.Id.ToString());
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static IEnumerable<RelayStatus> Ordered(Consensus consensus) =>
        consensus.Relays.OrderByDescending(r => r.BandwidthWeight).ThenBy(r => r.Nickname, StringComparer.Ordinal);

    // The family as the path rules count it: the listed relays that list this one back.
    private static List<RelayStatus> Family(Consensus consensus, RelayStatus relay)
    {
        var members = new List<RelayStatus>();
        foreach (var id in relay.Family)
        {
            if (consensus.TryGetRelay(id, out var other) && RelayFamily.AreFamily(relay, other))
            {
                members.Add(other);
            }
        }

        return members;
    }

    private static string Flags(RelayFlags flags) => string.Join(' ', s_flags.Where(f => flags.HasFlag(f)));

    private static string SourceName(ConsensusSourceKind? source) => source switch
    {
        ConsensusSourceKind.DiskCache => "from the cache",
        ConsensusSourceKind.Guard => "from a guard",
        ConsensusSourceKind.Authority => "from an authority",
        _ => "source unknown",
    };
}
