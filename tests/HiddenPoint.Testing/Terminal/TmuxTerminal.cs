using System.Diagnostics;
using System.Globalization;

namespace HiddenPoint.Testing.Terminal;

/// <summary>
/// A program running in a pseudo-terminal of a given size, driven through tmux: keys sent as a user types them, the
/// screen read back as text. Each instance runs its own tmux server on a socket in a private folder, so nothing touches
/// a user's tmux; <see cref="Dispose"/> kills that server and the program with it and removes the folder, whatever
/// state the test left. Every wait is bounded and, on timeout, throws with the screen as it was.
/// </summary>
/// <remarks>
/// The program runs under <c>sh</c>, which waits for it and writes its exit status to a file: tmux learns of a
/// pane's exit from SIGCHLD, which it was seen to miss when started from the test host, leaving the pane alive.
/// </remarks>
public sealed class TmuxTerminal : IDisposable
{
    private const string SessionName = "hpc";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(10);
    // Waits for the program, then writes its exit status whole (written aside, then renamed).
    private const string Wrapper = "status=$1; shift; \"$@\"; echo $? > \"$status.tmp\"; mv \"$status.tmp\" \"$status\"";
    private readonly string _folder;
    private readonly string _socket;
    private readonly string _statusFile;
    private int _disposed;

    private TmuxTerminal()
    {
        _folder = Path.Combine(Path.GetTempPath(), "hpc-tmux-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        _socket = Path.Combine(_folder, "socket");
        _statusFile = Path.Combine(_folder, "exit-status");
    }

    /// <summary>Null when tmux can be run here, else why not (the reason a test skips with).</summary>
    public static string? MissingReason { get; } = FindMissingReason();

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="arguments"/> in a <paramref name="width"/>×<paramref name="height"/>
    /// terminal, with <paramref name="environment"/> added to this process's environment.
    /// </summary>
    public static TmuxTerminal Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, int width = 80, int height = 24)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        if (MissingReason is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        var terminal = new TmuxTerminal();
        try
        {
            List<string> command =
            [
                // The pane stays after the program exits, so that its last screen can still be read.
                "-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                "new-session", "-d", "-s", SessionName,
                "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture),
            ];
            foreach (var (name, value) in environment)
            {
                command.Add("-e");
                command.Add(name + "=" + value);
            }

            command.AddRange(["--", "sh", "-c", Wrapper, "sh", terminal._statusFile, program]);
            command.AddRange(arguments);
            terminal.Tmux(command);
            return terminal;
        }
        catch
        {
            terminal.Dispose();
            throw;
        }
    }

    /// <summary>The screen as text, one line per row (trailing blanks trimmed by tmux).</summary>
    public string Capture() => Tmux(["capture-pane", "-p", "-t", SessionName]);

    /// <summary>Types <paramref name="text"/> literally (no key names).</summary>
    public void Type(string text) => Tmux(["send-keys", "-t", SessionName, "-l", text]);

    /// <summary>Presses keys by tmux name: Enter, Escape, Up, Down, C-c…</summary>
    public void Press(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Tmux(["send-keys", "-t", SessionName, .. keys]);
    }

    /// <summary>Changes the terminal's size, as a user resizing the window.</summary>
    public void Resize(int width, int height) =>
        Tmux(["resize-window", "-t", SessionName, "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Sends SIGTERM to the program (not the shell that waits for it), as a service manager or <c>kill</c> would.</summary>
    public void Terminate()
    {
        var shell = Tmux(["display-message", "-p", "-t", SessionName, "#{pane_pid}"]).Trim();
        var children = File.ReadAllText($"/proc/{shell}/task/{shell}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var pid = children is [var only] ? only : throw new InvalidOperationException($"The program is not running under its shell (children: {string.Join(' ', children)}).");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        if (!kill.WaitForExit(CommandBound) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException("kill -TERM " + pid + " failed.");
        }
    }

    /// <summary>Waits until the screen shows <paramref name="text"/> and returns the screen; throws with the screen after <paramref name="bound"/>.</summary>
    public Task<string> WaitForTextAsync(string text, TimeSpan? bound = null) =>
        WaitForScreenAsync(screen => screen.Contains(text, StringComparison.Ordinal), "the text \"" + text + "\"", bound);

    /// <summary>Waits until <paramref name="condition"/> holds for the screen and returns the screen; throws with the screen after <paramref name="bound"/>.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> condition, string what, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        var limit = bound ?? TestTimeouts.Step;
        while (true)
        {
            var screen = Capture();
            if (condition(screen))
            {
                return screen;
            }

            if (deadline.Elapsed >= limit || ExitStatus() is not null)
            {
                throw new TimeoutException($"Timed out waiting for {what} on the terminal. The screen:\n{screen}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the program has exited and returns its exit status; throws with the screen after <paramref name="bound"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? bound = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = bound ?? TestTimeouts.Step;
        while (true)
        {
            if (ExitStatus() is { } status)
            {
                return status;
            }

            if (deadline.Elapsed >= limit)
            {
                throw new TimeoutException($"Timed out waiting for the program to exit. The screen:\n{Capture()}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>The program's exit status once it has exited, else null.</summary>
    public int? ExitStatus() =>
        File.Exists(_statusFile) ? int.Parse(File.ReadAllText(_statusFile).Trim(), CultureInfo.InvariantCulture) : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The program first: a full-screen program whose terminal vanishes may not notice, and must not outlive the test.
        try
        {
            var shell = Tmux(["display-message", "-p", "-t", SessionName, "#{pane_pid}"]).Trim();
            foreach (var child in File.ReadAllText($"/proc/{shell}/task/{shell}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                using var program = Process.GetProcessById(int.Parse(child, CultureInfo.InvariantCulture));
                program.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or FormatException or System.ComponentModel.Win32Exception)
        {
            // The session or the program is gone already.
        }

        try
        {
            Tmux(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
            // The server was gone already (it exits when its last session ends).
        }

        Directory.Delete(_folder, recursive: true);
    }

    private string Tmux(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandBound))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("tmux " + string.Join(' ', start.ArgumentList) + " did not finish.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {error.Result.Trim()}");
        }

        return output.Result;
    }

    private static string? FindMissingReason()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("tmux", "-V") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null || !process.WaitForExit(CommandBound) || process.ExitCode != 0)
            {
                return "tmux is installed but does not run (tmux -V failed); the terminal UI tests need it.";
            }

            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "tmux is not installed (apt-get install tmux); the terminal UI tests drive the UI in a tmux pseudo-terminal.";
        }
    }
}
