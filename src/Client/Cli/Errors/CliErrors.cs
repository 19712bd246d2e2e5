using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.Keys;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Cli.Errors;

/// <summary>
/// The one place where failures become what the user sees: each <see cref="CliError"/> has its exit code, and each
/// typed failure of the libraries underneath (identity file, message store, passphrase source, options) becomes a
/// <see cref="CliException"/> by its typed reason, never by its text.
/// </summary>
internal static class CliErrors
{
    /// <summary>The exit code of <paramref name="error"/>.</summary>
    public static int ExitCode(CliError error) => error switch
    {
        CliError.Usage => ExitCodes.Usage,
        CliError.Configuration or CliError.NotInitialized => ExitCodes.Configuration,
        CliError.AlreadyInitialized => ExitCodes.CannotCreate,
        CliError.WrongPassphrase => ExitCodes.PermissionDenied,
        CliError.StoreInUse or CliError.NotDelivered => ExitCodes.TryAgain,
        CliError.StoreDamaged => ExitCodes.DataError,
        CliError.NetworkUnavailable => ExitCodes.Unavailable,
        CliError.Interrupted => ExitCodes.Interrupted,
        _ => ExitCodes.Failure,
    };

    /// <summary>
    /// The failure <paramref name="exception"/> stands for, with a message that says what to do; null for an exception
    /// no library documents (a bug: the caller reports it whole).
    /// </summary>
    public static CliException? Classify(Exception exception) => exception switch
    {
        CliException known => known,
        IdentityFileException identity => Identity(identity),
        StoreOpenException store => Store(store),
        StoreDamagedException damaged => new CliException(CliError.StoreDamaged,
            $"{damaged.Message} Run `hpc-client check` to count the damaged rows; the rest stays readable.", damaged),
        PassphraseException passphrase => new CliException(CliError.Configuration,
            $"{passphrase.Message} Set {PassphraseSource.FileVariable} to a file only you can read (chmod 600), or " +
            $"{PassphraseSource.EnvironmentVariable}, or run the command in a terminal to be asked.", passphrase),
        OptionsValidationException options => new CliException(CliError.Configuration,
            "the configuration cannot be used: " + string.Join(" ", options.Failures), options),
        OperationCanceledException cancelled => new CliException(CliError.Interrupted, "interrupted.", cancelled),
        UnauthorizedAccessException or IOException => new CliException(CliError.Failure, exception.Message, exception),
        _ => null,
    };

    private static CliException Identity(IdentityFileException e) => e.Problem switch
    {
        KeyFileProblem.NotFound => new CliException(CliError.NotInitialized,
            $"no identity at {e.Path}. Run `hpc-client init` first (or give the data directory that holds it with --data-dir).", e),
        KeyFileProblem.AlreadyExists => new CliException(CliError.AlreadyInitialized,
            $"{e.Path} already holds a hidden-point identity; init never replaces it, since a new key is a new hidden-id. " +
            "`hpc-client id` shows it.", e),
        KeyFileProblem.Inaccessible => new CliException(CliError.Failure, e.Message, e),
        _ => new CliException(CliError.Configuration, e.Message, e),
    };

    private static CliException Store(StoreOpenException e) => e.Failure switch
    {
        StoreOpenFailure.WrongPassphrase => new CliException(CliError.WrongPassphrase,
            $"the passphrase does not open the message store {e.Path}; nothing was changed. Give the passphrase chosen at `hpc-client init`.", e),
        StoreOpenFailure.NotFound => new CliException(CliError.NotInitialized,
            $"no message store at {e.Path}. Run `hpc-client init` first (or give the data directory that holds it with --data-dir).", e),
        StoreOpenFailure.InUse => new CliException(CliError.StoreInUse,
            $"{e.Message} Another hpc-client (the daemon?) has it open; stop it, or try again when it is done.", e),
        StoreOpenFailure.Corrupt => new CliException(CliError.StoreDamaged,
            $"{e.Message} The file was left as it is: keep a copy, and see docs/messaging-store.md §7 for what can be recovered.", e),
        StoreOpenFailure.Inaccessible => new CliException(CliError.Failure, e.Message, e),
        _ => new CliException(CliError.Configuration, e.Message, e),
    };
}
