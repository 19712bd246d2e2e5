using System.CommandLine;
using System.Security.Cryptography;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Messaging.Backup;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client restore FILE</c>: brings a backup's identity, contacts and history into an empty data directory, then
/// checks that the store opens with the passphrase. Never replaces an identity or a store.
/// </summary>
internal sealed class RestoreCommand() : CliVerb("restore",
    "Restore your identity, contacts and history from a file `hpc-client backup` wrote, into a data directory that has " +
    "no identity or store yet. Asks for the passphrase the backup was made with (the store's). The directory " +
    "authorities are configured again with `hpc-client init --authority …`-style entries in client.json, or copied.")
{
    private readonly Argument<FileInfo> _file = new("file") { Description = "The backup file" };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client restore /media/usb/hpc-2026-12-07.backup", "restores into the default data directory"),
        new("hpc-client restore old.backup --data-dir ~/hpc-restored", "restores into another directory"),
    ];

    protected override void Define(Command command) => command.Arguments.Add(_file);

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var source = context.Parse.GetValue(_file)!.FullName;
        var data = context.Configuration.Data;
        if (File.Exists(data.IdentityFile) || File.Exists(data.StoreFile))
        {
            throw new CliException(CliError.AlreadyInitialized,
                $"{data.Path} holds an identity or a message store already; restore never replaces them. Give an empty directory with --data-dir.");
        }

        var length = new FileInfo(source) is { Exists: true } info ? info.Length
            : throw new CliException(CliError.Usage, $"{source} does not exist.");
        if (length > BackupFile.MaxLength)
        {
            throw new CliException(CliError.StoreDamaged, $"{source} is larger than any backup ({BackupFile.MaxLength:N0} bytes at most).");
        }

        var backup = await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false);
        using var passphrase = await PassphraseSources.Choose(context.Console, newStore: false).ReadAsync(cancellationToken).ConfigureAwait(false);
        byte[] identityFile;
        byte[] database;
        try
        {
            (identityFile, database) = BackupFile.Open(backup, passphrase.Bytes);
        }
        catch (BackupException e) when (e.Error == BackupError.WrongPassphraseOrDamaged)
        {
            throw new CliException(CliError.WrongPassphrase, $"{source}: {e.Message}", e);
        }
        catch (BackupException e)
        {
            throw new CliException(CliError.StoreDamaged, $"{source}: {e.Message}", e);
        }

        try
        {
            if (!KeyFileFormat.TryDecode<HiddenPointIdentityKey>(identityFile, out var identity, out _, out var detail))
            {
                throw new CliException(CliError.StoreDamaged, $"{source}: the backup's identity is not a hidden-point identity key ({detail}).");
            }

            using (identity)
            {
                data.CreateOwnerOnly();
                KeyFile.Write(identity!, data.IdentityFile, replace: false);
                try
                {
                    await using (var output = new FileStream(data.StoreFile, OwnerOnlyFile.CreateNew()))
                    {
                        await output.WriteAsync(database, cancellationToken).ConfigureAwait(false);
                        output.Flush(flushToDisk: true);
                    }

                    // The restored store must open with the passphrase and pass its integrity check, or nothing stays.
                    using var store = await MessageStore.OpenAsync(context.Configuration.StoreOptions(create: false), passphrase, context.Time, null, cancellationToken).ConfigureAwait(false);
                    var counts = await store.GetCountsAsync(cancellationToken).ConfigureAwait(false);
                    await context.Console.Output.WriteLineAsync(
                        $"Restored into {data.Path}: {counts.Contacts} contacts, {counts.Delivered + counts.Received + counts.Queued + counts.Sent + counts.Failed} messages.").ConfigureAwait(false);
                    await context.Console.Output.WriteLineAsync("hidden-id: " + identity!.IdentityPublicKey.ToHiddenId()).ConfigureAwait(false);
                }
                catch
                {
                    File.Delete(data.IdentityFile);
                    File.Delete(data.StoreFile);
                    throw;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(identityFile);
        }
    }
}
