using System.CommandLine;
using HiddenPoint.Client.Cli.Configuration;
using HiddenPoint.Client.Cli.Terminal;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>What a verb runs with: its parsed command line, the console, the clock and the configuration.</summary>
internal sealed class VerbContext
{
    private readonly GlobalOptions _globals;
    private readonly IReadOnlyList<string> _settings;
    private ClientConfiguration? _configuration;

    public VerbContext(ParseResult parse, GlobalOptions globals, IReadOnlyList<string> settings, CliConsole console, TimeProvider time)
    {
        Parse = parse;
        _globals = globals;
        _settings = settings;
        Console = console;
        Time = time;
    }

    /// <summary>The parsed command line.</summary>
    public ParseResult Parse { get; }

    /// <summary>Where output, messages and prompts go.</summary>
    public CliConsole Console { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The command line's <c>--Section:Option=value</c> settings.</summary>
    public IReadOnlyList<string> Settings => _settings;

    /// <summary>
    /// The exit code of a verb that ran to the end: 0 unless the verb runs something with exit codes of its own (the
    /// daemon) and sets it. A failure is reported by throwing, not here.
    /// </summary>
    public int ExitCode { get; set; }

    /// <summary>The configuration, read on first use (a verb that needs none never fails on a bad file).</summary>
    /// <exception cref="Errors.CliException">The configuration cannot be read.</exception>
    public ClientConfiguration Configuration => _configuration ??= ClientConfiguration.Read(
        Parse.GetValue(_globals.DataDirectory), Parse.GetValue(_globals.ConfigFile), _settings);
}
