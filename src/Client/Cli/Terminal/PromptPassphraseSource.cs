using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>
/// The passphrase typed at the terminal, not echoed; for a new store asked twice, and again while the two differ or it
/// is empty (at most <see cref="MaxAttempts"/> times). The characters are kept in a pinned buffer wiped after use.
/// </summary>
internal sealed class PromptPassphraseSource : PassphraseSource
{
    /// <summary>How many times a new passphrase is asked for before giving up.</summary>
    public const int MaxAttempts = 3;

    private const int MaxLength = FilePassphraseSource.MaxLength;

    private readonly TextWriter _prompt;
    private readonly bool _confirm;

    /// <summary>Asks on the terminal, writing the prompts to <paramref name="prompt"/> (standard error).</summary>
    /// <param name="prompt">Where the prompts go.</param>
    /// <param name="confirm">Ask twice (a new store's passphrase).</param>
    public PromptPassphraseSource(TextWriter prompt, bool confirm)
    {
        _prompt = prompt;
        _confirm = confirm;
    }

    /// <inheritdoc/>
    public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken)
    {
        var first = GC.AllocateArray<char>(MaxLength, pinned: true);
        var second = GC.AllocateArray<char>(MaxLength, pinned: true);
        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var length = Read(_confirm ? "New passphrase for the message store: " : "Passphrase: ", first, cancellationToken);
                if (length == 0)
                {
                    _prompt.WriteLine("The passphrase cannot be empty.");
                    continue;
                }

                if (!_confirm)
                {
                    return ValueTask.FromResult(Passphrase.FromText(first.AsSpan(0, length)));
                }

                var again = Read("The same passphrase again: ", second, cancellationToken);
                if (first.AsSpan(0, length).SequenceEqual(second.AsSpan(0, again)))
                {
                    return ValueTask.FromResult(Passphrase.FromText(first.AsSpan(0, length)));
                }

                _prompt.WriteLine("The two passphrases differ; once more.");
            }

            throw new PassphraseException(PassphraseProblem.Empty, $"No passphrase was given after {MaxAttempts} attempts.");
        }
        finally
        {
            Array.Clear(first);
            Array.Clear(second);
        }
    }

    // Reads one line without echo: Enter ends it, Backspace removes a character, Ctrl-C cancels.
    private int Read(string prompt, char[] buffer, CancellationToken cancellationToken)
    {
        _prompt.Write(prompt);
        _prompt.Flush();
        var length = 0;
        var treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    _prompt.WriteLine();
                    return length;
                }

                if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
                {
                    _prompt.WriteLine();
                    throw new OperationCanceledException(cancellationToken);
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    length = Math.Max(0, length - 1);
                }
                else if (!char.IsControl(key.KeyChar) && length < buffer.Length)
                {
                    buffer[length++] = key.KeyChar;
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }
}
