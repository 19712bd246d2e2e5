using System.Diagnostics;

namespace HiddenPoint.Testing;

/// <summary>What a child program did: its exit code and everything it wrote.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
public sealed record ChildProgramResult(int ExitCode, string Output, string Error)
{
    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs a program the test project references (hpc-client, hpc-relay, a test's own child) as <c>dotnet NAME.dll</c>
/// from where <see cref="Locate"/> finds it, with standard input closed (so the program sees no terminal), its environment
/// cleaned of the variables that configure it, and every run bounded (<see cref="TestTimeouts.Host"/> unless given):
/// a program still running then is killed with its children and the test fails.
/// </summary>
public sealed class ChildProgram
{
    private readonly string _assembly;
    private readonly string[] _cleanedPrefixes;

    /// <summary>The program <paramref name="assemblyName"/> (e.g. <c>hpc-client</c>).</summary>
    /// <param name="assemblyName">The program's assembly, in the test's output folder.</param>
    /// <param name="cleanedPrefixes">Environment variables whose names start with one of these are not passed on from the
    /// test's own environment (a developer's HPC_ settings must not change what a test sees).</param>
    public ChildProgram(string assemblyName, params string[] cleanedPrefixes)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyName);
        _assembly = Locate(assemblyName);
        _cleanedPrefixes = cleanedPrefixes;
    }

    /// <summary>
    /// Where <paramref name="assemblyName"/>'s .dll is: the path a test project recorded for it (assembly metadata
    /// <c>program:NAME</c>, so that the program runs from its own output folder with its own dependencies), else the
    /// test's output folder.
    /// </summary>
    public static string Locate(string assemblyName)
    {
        var key = "program:" + assemblyName;
        var recorded = AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(a => a.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false).Cast<System.Reflection.AssemblyMetadataAttribute>())
            .FirstOrDefault(a => a.Key == key)?.Value;
        return recorded is not null && File.Exists(recorded) ? recorded : Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
    }

    /// <summary>Runs the program to its end.</summary>
    /// <param name="args">Its arguments.</param>
    /// <param name="environment">Variables to set (a null value removes one).</param>
    /// <param name="timeout">The bound on the run.</param>
    /// <exception cref="TimeoutException">The program was still running after the bound; it was killed.</exception>
    /// <param name="standardInput">What the program reads on standard input, then end of input (none when null).</param>
    public async Task<ChildProgramResult> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => _cleanedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var bound = timeout ?? TestTimeouts.Host;
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);

            // What the program printed before it was killed says where it was stuck (its warnings go to stderr).
            var printed = await PrintedSoFarAsync(output, error).ConfigureAwait(false);
            throw new TimeoutException($"{Path.GetFileName(_assembly)} {string.Join(' ', args)} was still running after {bound}; killed.{printed}");
        }

        return new ChildProgramResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static async Task<string> PrintedSoFarAsync(Task<string> output, Task<string> error)
    {
        const int Tail = 6_000;
        static string Last(string text) => text.Length <= Tail ? text : "…" + text[^Tail..];
        try
        {
            var printed = await Task.WhenAll(output, error).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return $"{Environment.NewLine}stdout:{Environment.NewLine}{Last(printed[0])}{Environment.NewLine}stderr:{Environment.NewLine}{Last(printed[1])}";
        }
        catch (TimeoutException)
        {
            return " (its output did not end within 5 s of the kill)";
        }
    }
}
