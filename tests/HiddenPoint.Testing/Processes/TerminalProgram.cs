using System.Diagnostics;
using System.Text;

namespace HiddenPoint.Testing;

/// <summary>
/// Runs a program the test project references on a pseudo-terminal, through util-linux's <c>script</c>, so that it
/// sees a terminal on its standard input, output and error (prompts, no echo, live progress). The test reads what the
/// terminal shows (<see cref="WaitForAsync"/>) and types (<see cref="TypeAsync"/>); every wait is bounded, and the
/// program is killed when the session is disposed before it ended.
/// </summary>
public sealed class TerminalProgram : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _reader;
    private readonly Lock _gate = new();
    private int _seen;

    private TerminalProgram(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Everything the terminal has shown so far.</summary>
    public string Screen
    {
        get
        {
            lock (_gate)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet ASSEMBLY.dll ARGS</c> on a pseudo-terminal.</summary>
    /// <param name="assemblyName">The program, in the test's output folder.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="environment">Variables to set (a null value removes one).</param>
    /// <param name="cleanedPrefixes">Variables of the test's own environment starting with these are not passed on.</param>
    public static TerminalProgram Start(string assemblyName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, params string[] cleanedPrefixes)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyName);
        ArgumentNullException.ThrowIfNull(args);
        var command = string.Join(' ', new[] { "dotnet", ChildProgram.Locate(assemblyName) }.Concat(args).Select(Quote));

        // -q: no banner; -e: exit with the program's exit code; -c: the command; /dev/null: no typescript file.
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-q", "-e", "-c", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => cleanedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
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

        return new TerminalProgram(Process.Start(start) ?? throw new InvalidOperationException("script did not start."));
    }

    /// <summary>
    /// Waits until the terminal shows <paramref name="text"/> after what the previous wait found
    /// (<see cref="TestTimeouts.Host"/> at most), so that a prompt shown twice is waited for twice.
    /// </summary>
    /// <exception cref="TimeoutException">It did not appear in time; the message holds the screen.</exception>
    public async Task WaitForAsync(string text)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Host);
        while (true)
        {
            var screen = Screen;
            var found = screen.IndexOf(text, _seen, StringComparison.Ordinal);
            if (found >= 0)
            {
                _seen = found + text.Length;
                return;
            }

            try
            {
                await _changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{text}' did not appear on the terminal within {TestTimeouts.Host}; it shows:\n{Screen}");
            }
        }
    }

    /// <summary>Types <paramref name="text"/> (use <c>\r</c> for Enter, as a terminal sends it).</summary>
    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the program to end (<see cref="TestTimeouts.Host"/> at most) and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It was still running; it is killed.</exception>
    public async Task<int> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Host);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the program was still running after {TestTimeouts.Host}; killed. The terminal shows:\n{Screen}");
        }

        await _reader.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _reader.WaitAsync(TestTimeouts.Step).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        _changed.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_gate)
            {
                _screen.Append(buffer, 0, read);
            }

            _changed.Release();
        }
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
