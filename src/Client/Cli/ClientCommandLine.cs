using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using HiddenPoint.Client.Cli.Commands;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Terminal;

namespace HiddenPoint.Client.Cli;

/// <summary>
/// hpc-client's command line (System.CommandLine): the root command with the global options, one command per verb,
/// <c>--help</c> with each verb's examples, <c>--version</c>, and the exit codes of docs/cli.md. Parse errors are usage
/// errors (64); a verb's failure goes through <see cref="CliErrors"/>.
/// </summary>
internal sealed class ClientCommandLine
{
    /// <summary>The program's name in messages.</summary>
    public const string ProgramName = "hpc-client";

    private readonly CliConsole _console;
    private readonly TimeProvider _time;
    private readonly GlobalOptions _globals = new();
    private readonly RootCommand _root;
    private string[] _settings = [];

    public ClientCommandLine(CliConsole console, TimeProvider time)
    {
        _console = console;
        _time = time;
        _root = new RootCommand(
            "hpc-client: a HiddenPoint client. Your hidden-id reaches you through the onion-routed network without anyone " +
            "learning where you are. Start with `hpc-client init`.");
        _globals.AddTo(_root);

        // No command: the full-screen interface.
        var ui = new InterfaceCommand();
        _root.SetAction((parse, cancellationToken) => RunVerbAsync(ui, parse, cancellationToken));
        foreach (var verb in Verbs())
        {
            _root.Subcommands.Add(verb.Build(RunVerbAsync));
            Examples[verb.Name] = verb.Examples;
        }

        foreach (var option in _root.Options)
        {
            if (option is HelpOption help && help.Action is HelpAction standard)
            {
                help.Action = new HelpWithExamples(standard, Examples);
            }
            else if (option is VersionOption version)
            {
                version.Action = new PrintVersion();
            }
        }
    }

    /// <summary>Each verb's examples, by name, for <c>--help</c>.</summary>
    private Dictionary<string, IReadOnlyList<VerbExample>> Examples { get; } = new(StringComparer.Ordinal);

    /// <summary>The verbs. A new verb is one file in Commands/ and one line here.</summary>
    private static IEnumerable<CliVerb> Verbs() =>
    [
        new InitCommand(),
        new IdCommand(),
        new RelaysCommand(),
        new CheckCommand(),
        new ConnectCommand(),
        new SendCommand(),
        new ListenCommand(),
        new ContactsCommand(),
        new HistoryCommand(),
        new StatusCommand(),
        new DaemonCommand(),
        new BackupCommand(),
        new RestoreCommand(),
    ];

    /// <summary>The program's version, as <c>--version</c> prints it.</summary>
    public static string Version()
    {
        var informational = typeof(ClientCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? typeof(ClientCommandLine).Assembly.GetName().Version?.ToString() ?? "unknown";
    }

    /// <summary>Parses <paramref name="args"/> and runs what they ask for; returns the exit code.</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);

        // Settings go to the configuration; System.CommandLine sees the rest.
        _settings = [.. args.Where(IsSetting)];
        var parse = _root.Parse([.. args.Where(a => !IsSetting(a))]);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await _console.Error.WriteLineAsync($"{ProgramName}: {error.Message}").ConfigureAwait(false);
            }

            await _console.Error.WriteLineAsync($"Run `{ProgramName} {VerbOf(parse)}--help` for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = _console.Output,
            Error = _console.Error,
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static string VerbOf(ParseResult parse) =>
        parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";

    // Every verb runs here, and whatever it throws becomes a message and an exit code.
    private async Task<int> RunVerbAsync(CliVerb verb, ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            var context = new VerbContext(parse, _globals, _settings, _console, _time);
            await verb.RunAsync(context, cancellationToken).ConfigureAwait(false);
            return context.ExitCode;
        }
        catch (Exception e) when (CliErrors.Classify(e) is { } failure)
        {
            await _console.Error.WriteLineAsync($"{ProgramName} {verb.Name}: {failure.Message}").ConfigureAwait(false);
            return CliErrors.ExitCode(failure.Error);
        }
#pragma warning disable CA1031 // The last resort: a fault no library documents is reported whole, not as a crash dump.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await _console.Error.WriteLineAsync($"{ProgramName} {verb.Name}: unexpected failure: {e}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>Whether <paramref name="token"/> is a configuration setting (<see cref="HiddenPoint.Client.Api.Configuration.CommandLineSetting"/>, shared with the daemon).</summary>
    internal static bool IsSetting(string token) => HiddenPoint.Client.Api.Configuration.CommandLineSetting.Is(token);

    /// <summary>The standard help, then the verb's examples and, for the program, where the rest is documented.</summary>
    private sealed class HelpWithExamples(HelpAction standard, IReadOnlyDictionary<string, IReadOnlyList<VerbExample>> examples)
        : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = standard.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            var command = parseResult.CommandResult.Command;
            if (command is RootCommand)
            {
                output.WriteLine("Examples:");
                foreach (var list in examples.Values)
                {
                    WriteExample(output, list[0]);
                }

                output.WriteLine();
                output.WriteLine("Settings: --Section:Option=value on the command line, HPC_CLIENT__Section__Option in the environment,");
                output.WriteLine("or a JSON file (DIR/client.json, or --config FILE); later sources win. Passphrase: HPC_PASSPHRASE_FILE,");
                output.WriteLine("HPC_PASSPHRASE, or asked at the terminal.");
                output.WriteLine();
                output.WriteLine("Exit codes: 0 success; 1 failure; 64 usage; 65 damaged message store; 69 network unreachable;");
                output.WriteLine("73 already initialised; 75 message store in use; 77 wrong passphrase; 78 configuration or not");
                output.WriteLine("initialised; 130 interrupted. docs/cli.md describes every command.");
            }
            else if (examples.TryGetValue(command.Name, out var list) && list.Count > 0)
            {
                output.WriteLine("Examples:");
                foreach (var example in list)
                {
                    WriteExample(output, example);
                }

                output.WriteLine();
            }

            return result;
        }

        private static void WriteExample(TextWriter output, VerbExample example)
        {
            output.WriteLine("  " + example.CommandLine);
            output.WriteLine("      " + example.What);
        }
    }

    /// <summary><c>--version</c>: the program's name and version, as hpc-relay prints its own.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"{ProgramName} {Version()}");
            return ExitCodes.Ok;
        }
    }
}
