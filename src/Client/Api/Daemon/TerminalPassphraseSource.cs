using System.Text;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Api.Daemon;

/// <summary>The passphrase typed at the terminal, without echo, after a prompt on standard error.</summary>
internal sealed class TerminalPassphraseSource(string prompt) : PassphraseSource
{
    public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken)
    {
        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    break;
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    typed.Length = Math.Max(0, typed.Length - 1);
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    typed.Append(key.KeyChar);
                }
            }

            Console.Error.WriteLine();
            if (typed.Length == 0)
            {
                throw new PassphraseException(PassphraseProblem.Empty, "The passphrase typed is empty.");
            }

            return ValueTask.FromResult(Passphrase.FromText(typed.ToString()));
        }
        finally
        {
            typed.Clear();
        }
    }
}
