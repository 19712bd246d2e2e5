using Spectre.Console;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>
/// Where a command writes: results to standard output (through Spectre.Console for tables, or raw for JSON), messages
/// and progress to standard error; and whether each end is a terminal, which decides prompting and live progress.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool outputIsTerminal, bool inputIsTerminal, bool errorIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        InputIsTerminal = inputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!outputIsTerminal)
        {
            // Not a terminal: no width to fit, so tables are not cut to the 80 columns Spectre assumes.
            Out.Profile.Width = RedirectedWidth;
        }
        Progress = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Interactive = errorIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    /// <summary>The width tables are laid out in when standard output is not a terminal.</summary>
    public const int RedirectedWidth = 200;

    /// <summary>Standard output as text: JSON and plain lines go here.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard output for tables and markup (no colours or escapes when it is not a terminal).</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error: messages, prompts.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard error for live progress.</summary>
    public IAnsiConsole Progress { get; }

    /// <summary>Whether standard input is a terminal (a passphrase can be asked for).</summary>
    public bool InputIsTerminal { get; }

    /// <summary>Whether standard error is a terminal (live progress is shown).</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>The process's own streams.</summary>
    public static CliConsole FromProcess() => new(
        Console.Out,
        Console.Error,
        outputIsTerminal: !Console.IsOutputRedirected,
        inputIsTerminal: !Console.IsInputRedirected,
        errorIsTerminal: !Console.IsErrorRedirected);
}
