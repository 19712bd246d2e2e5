using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>
/// The passphrase typed at the terminal, not echoed; for a new store asked twice, and again while the two differ or it
/// is empty (at most <see cref="MaxAttempts"/> times). The terminal stops echoing before the prompt is shown
/// (<see cref="TerminalMode"/>); the bytes are kept in a pinned buffer wiped after use.
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
        var first = GC.AllocateArray<byte>(MaxLength, pinned: true);
        var second = GC.AllocateArray<byte>(MaxLength, pinned: true);
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
                    return ValueTask.FromResult(Passphrase.FromUtf8(first.AsSpan(0, length)));
                }

                var again = Read("The same passphrase again: ", second, cancellationToken);
                if (first.AsSpan(0, length).SequenceEqual(second.AsSpan(0, again)))
                {
                    return ValueTask.FromResult(Passphrase.FromUtf8(first.AsSpan(0, length)));
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

    // One line without echo, as UTF-8 bytes. The terminal is switched before the prompt is shown, so nothing typed
    // after it is echoed even for a moment.
    private int Read(string prompt, byte[] buffer, CancellationToken cancellationToken)
    {
        using var mode = TerminalMode.ForPassphrase();
        _prompt.Write(prompt);
        _prompt.Flush();
        try
        {
            return mode is null ? ReadKeys(buffer, cancellationToken) : ReadBytes(buffer, cancellationToken);
        }
        finally
        {
            _prompt.WriteLine();
        }
    }

    // Byte by byte from the terminal in the prompt's mode: Enter ends the line, Backspace removes a character (all of
    // its UTF-8 bytes), Ctrl-C or Ctrl-D cancels.
    private static int ReadBytes(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = TerminalMode.ReadByte();
            if (next < 0)
            {
                throw new OperationCanceledException("The terminal closed.");
            }

            switch (next)
            {
                case '\r' or '\n':
                    return length;
                case 0x03 or 0x04:
                    throw new OperationCanceledException("The passphrase prompt was cancelled.");
                case 0x7F or 0x08:
                    while (length > 0 && (buffer[--length] & 0xC0) == 0x80)
                    {
                    }

                    break;
                default:
                    if (next >= 0x20 && length < buffer.Length)
                    {
                        buffer[length++] = (byte)next;
                    }

                    break;
            }
        }
    }

    // Where the terminal's mode cannot be set here: .NET's own key reading, which turns echo off while it reads.
    private static int ReadKeys(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        var treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        Span<byte> encoded = stackalloc byte[4];
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    return length;
                }

                if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
                {
                    throw new OperationCanceledException("The passphrase prompt was cancelled.");
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    while (length > 0 && (buffer[--length] & 0xC0) == 0x80)
                    {
                    }
                }
                else if (!char.IsControl(key.KeyChar) && !char.IsSurrogate(key.KeyChar))
                {
                    var written = System.Text.Encoding.UTF8.GetBytes([key.KeyChar], encoded);
                    if (length + written <= buffer.Length)
                    {
                        encoded[..written].CopyTo(buffer.AsSpan(length));
                        length += written;
                    }
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }
}
