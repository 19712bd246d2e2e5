using System.CommandLine;
using System.Security.Cryptography;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Backup;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client backup FILE</c>: the identity, contacts and history in one file sealed under the store's passphrase
/// (<see cref="BackupFile"/>), so that a lost machine is not a lost hidden-id. Never overwrites a file.
/// </summary>
internal sealed class BackupCommand() : CliVerb("backup",
    "Write your identity, contacts and history to one file, sealed under your passphrase (Argon2id, XChaCha20-Poly1305). " +
    "Keep it somewhere else than this machine: with it and the passphrase, `hpc-client restore` brings your hidden-id " +
    "back. The client daemon must be stopped first (the store is open in it).")
{
    private readonly Argument<FileInfo> _file = new("file") { Description = "The backup file to write (it must not exist)" };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client backup /media/usb/hpc-2026-12-07.backup", "asks for the passphrase and writes the backup"),
    ];

    protected override void Define(Command command) => command.Arguments.Add(_file);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var target = context.Parse.GetValue(_file)!.FullName;
        if (File.Exists(target))
        {
            throw new CliException(CliError.AlreadyInitialized, $"{target} exists already; a backup never replaces a file. Give another name.");
        }

        var configuration = context.Configuration;
        var storeOptions = configuration.StoreOptions(create: false);
        if (!File.Exists(storeOptions.DatabasePath))
        {
            throw new CliException(CliError.NotInitialized, $"no message store at {storeOptions.DatabasePath}; run `hpc-client init` first.");
        }

        byte[] identityFile;
        using (var identity = HiddenPointIdentityStore.Load(configuration.Data.IdentityFile))
        {
            identityFile = KeyFileFormat.Encode(identity);
        }

        var copy = configuration.Data.File($".backup-{Guid.NewGuid():N}.db");
        try
        {
            using var passphrase = await PassphraseSources.Choose(context.Console, newStore: false).ReadAsync(cancellationToken).ConfigureAwait(false);
            using (var store = await MessageStore.OpenAsync(storeOptions, passphrase, context.Time, null, cancellationToken).ConfigureAwait(false))
            {
                await store.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            }

            var database = await File.ReadAllBytesAsync(copy, cancellationToken).ConfigureAwait(false);
            var sealedBackup = BackupFile.Seal(identityFile, database, passphrase.Bytes, storeOptions.KdfMemoryKib, storeOptions.KdfPasses);
            await using (var output = new FileStream(target, OwnerOnlyFile.CreateNew()))
            {
                await output.WriteAsync(sealedBackup, cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            await context.Console.Output.WriteLineAsync($"Backup written to {target} ({sealedBackup.Length:N0} bytes), sealed under your passphrase.").ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(identityFile);
            File.Delete(copy);
        }
    }
}
