namespace HiddenPoint.Client.Cli.Commands;

/// <summary>One example in a verb's <c>--help</c>: a command line and what it does.</summary>
/// <param name="CommandLine">The command as typed, starting with <c>hpc-client</c>.</param>
/// <param name="What">What it does, one line.</param>
internal sealed record VerbExample(string CommandLine, string What);
