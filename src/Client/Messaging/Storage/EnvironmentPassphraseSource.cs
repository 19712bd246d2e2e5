namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The passphrase from an environment variable (<see cref="PassphraseSource.EnvironmentVariable"/> by default). Simple
/// for services and tests; other processes of the same user can read a process's environment, so a file is preferred.
/// </summary>
public sealed class EnvironmentPassphraseSource : PassphraseSource
{
    private readonly string _variable;

    /// <summary>Reads the passphrase from <paramref name="variable"/>.</summary>
    public EnvironmentPassphraseSource(string variable = EnvironmentVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(variable);
        _variable = variable;
    }

    /// <inheritdoc/>
    public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken)
    {
        // The runtime keeps the environment as strings: that copy cannot be wiped, only the one handed on.
        var value = Environment.GetEnvironmentVariable(_variable);
        if (value is null)
        {
            throw new PassphraseException(PassphraseProblem.NotSet, $"The environment variable {_variable} is not set.");
        }

        if (value.Length == 0)
        {
            throw new PassphraseException(PassphraseProblem.Empty, $"The environment variable {_variable} is empty.");
        }

        return ValueTask.FromResult(Passphrase.FromText(value));
    }
}
