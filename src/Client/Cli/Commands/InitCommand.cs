using System.CommandLine;
using HiddenPoint.Client.Cli.Configuration;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client init</c>: creates the data directory (owner-only), the hidden-point identity and the encrypted message
/// store, and with <c>--authority</c> writes client.json; prints the hidden-id. Never replaces an identity or a store
/// that is there. The passphrase is read before anything is created, and an identity created for a store that then
/// could not be made is removed again (no one has seen its hidden-id), so a failed init can simply be run again.
/// </summary>
internal sealed class InitCommand() : CliVerb("init",
    "Create your identity and encrypted message store in the data directory, and print your hidden-id. With --authority, " +
    "also save the directory authorities to DIR/client.json so that later commands find the network.")
{
    private readonly Option<ClientAuthorityOptions[]> _authorities = new("--authority")
    {
        Description = "A directory authority as " + AuthorityArgument.Form + " (its HTTP address and the identity " +
            "`hpc-directory keygen` printed); repeat for each",
        HelpName = "AUTHORITY",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = ParseAuthorities,
    };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client init --authority auth1,192.0.2.1:7000,<identity> --authority auth2,192.0.2.2:7000,<identity>",
            "a new identity, asking for the message store's passphrase twice, and the network's authorities"),
        new("HPC_PASSPHRASE_FILE=~/.hpc-pass hpc-client init --data-dir /srv/hpc",
            "the same without a prompt, in another data directory"),
    ];

    protected override void Define(Command command) => command.Options.Add(_authorities);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var data = context.Configuration.Data;
        var authorities = context.Parse.GetValue(_authorities) ?? [];
        if (File.Exists(data.IdentityFile) || File.Exists(data.StoreFile))
        {
            var what = File.Exists(data.IdentityFile) ? data.IdentityFile : data.StoreFile;
            throw new CliException(CliError.AlreadyInitialized,
                $"{data.Path} is already initialised ({what} is there). init never replaces an identity or a message store: " +
                "a new identity is a new hidden-id. `hpc-client id` shows yours; give --data-dir for another one.");
        }

        if (authorities.Length > 0 && File.Exists(data.ConfigFile))
        {
            throw new CliException(CliError.Configuration,
                $"{data.ConfigFile} is there already; edit its Client:Directory:Authorities instead of giving --authority.");
        }

        var storeOptions = context.Configuration.StoreOptions(create: true);

        // The passphrase first: nothing is created for a user who cannot give one.
        var source = PassphraseSources.Choose(context.Console, newStore: true);
        using var passphrase = await source.ReadAsync(cancellationToken).ConfigureAwait(false);

        data.CreateOwnerOnly();
        string hiddenId;
        using (var identity = HiddenPointIdentityStore.Create(data.IdentityFile))
        {
            hiddenId = identity.IdentityPublicKey.ToHiddenId().ToString();
            try
            {
                using var store = await MessageStore.OpenAsync(storeOptions, passphrase, context.Time, null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                File.Delete(data.IdentityFile);
                throw;
            }
        }

        if (authorities.Length > 0)
        {
            ClientConfigFile.Write(data.ConfigFile, authorities);
        }

        var output = context.Console.Output;
        await output.WriteLineAsync($"Initialised {data.Path}: identity, encrypted message store" +
            (authorities.Length > 0 ? $", and client.json with {ClientConfigFile.Describe(authorities)}." : ".")).ConfigureAwait(false);
        if (authorities.Length == 0)
        {
            await output.WriteLineAsync("No directory authority was given: add them to client.json (see docs/cli.md) before `hpc-client relays`.").ConfigureAwait(false);
        }

        await output.WriteLineAsync("Your hidden-id (share it; `hpc-client id` shows it with a fingerprint and a QR code):").ConfigureAwait(false);
        await output.WriteLineAsync("hidden-id: " + hiddenId).ConfigureAwait(false);
    }

    private static ClientAuthorityOptions[] ParseAuthorities(System.CommandLine.Parsing.ArgumentResult result)
    {
        var parsed = new List<ClientAuthorityOptions>();
        foreach (var token in result.Tokens)
        {
            if (AuthorityArgument.TryParse(token.Value, out var authority, out var problem))
            {
                parsed.Add(authority);
            }
            else
            {
                result.AddError("--authority: " + problem);
            }
        }

        if (parsed.Select(a => a.Identity).Distinct(StringComparer.Ordinal).Count() != parsed.Count)
        {
            result.AddError("--authority: an identity is given twice.");
        }

        return [.. parsed];
    }
}
