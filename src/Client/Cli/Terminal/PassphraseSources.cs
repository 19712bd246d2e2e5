using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>Which passphrase source a command uses (docs/messaging-store.md §3.1): the environment's, else a prompt.</summary>
internal static class PassphraseSources
{
    /// <summary>
    /// <c>HPC_PASSPHRASE_FILE</c>, else <c>HPC_PASSPHRASE</c>, else a prompt when standard input is a terminal.
    /// </summary>
    /// <param name="console">Where the prompt goes.</param>
    /// <param name="newStore">A new store's passphrase is asked for twice.</param>
    /// <exception cref="CliException">No source: not set, and no terminal to ask on (<see cref="CliError.Configuration"/>).</exception>
    public static PassphraseSource Choose(CliConsole console, bool newStore)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (PassphraseSource.FromEnvironment() is { } configured)
        {
            return configured;
        }

        if (console.InputIsTerminal)
        {
            return new PromptPassphraseSource(console.Error, confirm: newStore);
        }

        throw new CliException(CliError.Configuration,
            $"the message store needs its passphrase, and standard input is not a terminal to ask on. Set {PassphraseSource.FileVariable} " +
            $"to a file only you can read (chmod 600) that holds it, or {PassphraseSource.EnvironmentVariable}.");
    }
}
