using System.CommandLine;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// One hpc-client verb, in its own file under Commands/: its name, description and examples (shown by
/// <c>--help</c>), the options and arguments it adds, and what it does. A verb reports failure by throwing: a
/// <see cref="Errors.CliException"/> with its <see cref="Errors.CliError"/>, or a typed exception of the libraries
/// underneath; <see cref="Errors.CliErrors"/> turns either into the message and exit code, in one place.
/// </summary>
internal abstract class CliVerb
{
    private Option<bool>? _json;

    protected CliVerb(string name, string description)
    {
        Name = name;
        Description = description;
    }

    /// <summary>The verb as typed.</summary>
    public string Name { get; }

    /// <summary>One paragraph for <c>--help</c>.</summary>
    public string Description { get; }

    /// <summary>Examples for <c>--help</c>.</summary>
    public abstract IReadOnlyList<VerbExample> Examples { get; }

    /// <summary>Builds the command; <paramref name="run"/> invokes <see cref="RunAsync"/> and maps its failures.</summary>
    public Command Build(Func<CliVerb, ParseResult, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var command = new Command(Name, Description);
        Define(command);
        command.SetAction((parse, cancellationToken) => run(this, parse, cancellationToken));
        return command;
    }

    /// <summary>Runs the verb; returns normally on success (exit 0).</summary>
    public abstract Task RunAsync(VerbContext context, CancellationToken cancellationToken);

    /// <summary>Adds the verb's options and arguments.</summary>
    protected virtual void Define(Command command)
    {
    }

    /// <summary>Adds <c>--json</c>, for a verb that reads (its output is then one JSON document on standard output).</summary>
    protected void AddJsonOption(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _json = new Option<bool>("--json") { Description = "Print one JSON document instead of text (for scripts)" };
        command.Options.Add(_json);
    }

    /// <summary>Whether <c>--json</c> was given.</summary>
    protected bool Json(VerbContext context) => _json is not null && context.Parse.GetValue(_json);
}
