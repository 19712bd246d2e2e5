namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// Where the store's passphrase comes from: an environment variable, a file, or (in the command-line program) a
/// prompt. A source is asked once per open; the caller disposes the passphrase it gets.
/// </summary>
public abstract class PassphraseSource
{
    /// <summary>The environment variable holding the passphrase itself.</summary>
    public const string EnvironmentVariable = "HPC_PASSPHRASE";

    /// <summary>The environment variable naming a file (readable by its owner only) that holds the passphrase.</summary>
    public const string FileVariable = "HPC_PASSPHRASE_FILE";

    /// <summary>Reads the passphrase.</summary>
    /// <exception cref="PassphraseException">The source has none, or it cannot be read.</exception>
    public abstract ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The source the environment names: <see cref="FileVariable"/> when set, else <see cref="EnvironmentVariable"/>
    /// when set, else null (the program then prompts, or refuses).
    /// </summary>
    public static PassphraseSource? FromEnvironment()
    {
        var file = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(file))
        {
            return new FilePassphraseSource(file);
        }

        return Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 }
            ? new EnvironmentPassphraseSource(EnvironmentVariable)
            : null;
    }
}

/// <summary>Why a passphrase source gave no passphrase.</summary>
public enum PassphraseProblem
{
    /// <summary>The variable is not set, or the file does not exist.</summary>
    NotSet = 1,

    /// <summary>The passphrase is empty.</summary>
    Empty,

    /// <summary>The file can be read or changed by other users, or belongs to another user.</summary>
    FileNotPrivate,

    /// <summary>The file could not be read.</summary>
    Unreadable,

    /// <summary>The file is larger than a passphrase can be.</summary>
    TooLong,
}

/// <summary>A passphrase source gave no passphrase; the message says which source and why.</summary>
public sealed class PassphraseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PassphraseException(PassphraseProblem problem, string message)
        : base(message) => Problem = problem;

    /// <summary>Creates the exception with its cause.</summary>
    public PassphraseException(PassphraseProblem problem, string message, Exception inner)
        : base(message, inner) => Problem = problem;

    /// <summary>What went wrong.</summary>
    public PassphraseProblem Problem { get; }
}
