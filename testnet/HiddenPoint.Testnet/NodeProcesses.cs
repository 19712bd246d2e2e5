using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HiddenPoint.Testnet;

/// <summary>
/// Starts node programs as processes of their own and stops them by their recorded ids. A node outlives the
/// <c>run</c> that started it: it runs in its own session (setsid), so a Ctrl-C in the terminal reaches only
/// <c>run</c>, and writes to its log file, not to <c>run</c>'s output.
/// </summary>
internal static partial class NodeProcesses
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>Variables a node must not inherit: they would change its configuration or its service manager.</summary>
    private static readonly string[] s_inheritedPrefixes = ["HPC_RELAY__", "HPC_DIRECTORY__", "HPC_CLIENT__"];

    /// <summary>
    /// Runs <c>dotnet <paramref name="program"/> <paramref name="args"/></c> in a new session with standard input
    /// from /dev/null and both outputs appended to <paramref name="logFile"/>; returns the process (its id is the
    /// program's own: setsid and sh exec it in place).
    /// </summary>
    public static Process Start(string program, IEnumerable<string> args, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(logFile);
        start.ArgumentList.Add(DotnetHost());
        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name is "NOTIFY_SOCKET" || s_inheritedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        try
        {
            return Process.Start(start) ?? throw new TestnetException($"could not start {Path.GetFileName(program)}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TestnetException($"could not start {Path.GetFileName(program)} through setsid (util-linux): {e.Message}", e);
        }
    }

    /// <summary>Runs a node program to completion (keygen) and returns its exit code and standard output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(
        string program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new TestnetException($"could not start {Path.GetFileName(program)}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TestnetException($"{Path.GetFileName(program)} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>
    /// True while the node's process runs: the id exists, is not a zombie, and its command line names the node's
    /// configuration file (so an unrelated process that reuses the id is never taken for the node, nor signalled).
    /// </summary>
    public static bool IsRunning(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.ProcessId <= 0)
        {
            return false;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{node.ProcessId}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 2)[0];
            if (state is 'Z' or 'X')
            {
                return false;
            }

            var commandLine = File.ReadAllText($"/proc/{node.ProcessId}/cmdline");
            return commandLine.Split('\0').Contains(node.ConfigFile, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops <paramref name="nodes"/>: SIGTERM to each that runs, up to <paramref name="grace"/> for all to exit,
    /// then SIGKILL to any left and up to 5 s more. Returns the nodes that needed SIGKILL and those still running.
    /// </summary>
    public static async Task<(IReadOnlyList<NodeRecord> Killed, IReadOnlyList<NodeRecord> Left)> StopAsync(
        IReadOnlyCollection<NodeRecord> nodes, TimeSpan grace, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var running = nodes.Where(IsRunning).ToList();
        foreach (var node in running)
        {
            _ = Signal(node.ProcessId, SigTerm);
        }

        running = await WaitForExit(running, grace, clock).ConfigureAwait(false);
        var killed = running.ToList();
        foreach (var node in killed)
        {
            _ = Signal(node.ProcessId, SigKill);
        }

        var left = await WaitForExit(killed, TimeSpan.FromSeconds(5), clock).ConfigureAwait(false);
        return (killed, left);
    }

    private static async Task<List<NodeRecord>> WaitForExit(List<NodeRecord> nodes, TimeSpan bound, TimeProvider clock)
    {
        var deadline = clock.GetUtcNow() + bound;
        while (true)
        {
            nodes = nodes.Where(IsRunning).ToList();
            if (nodes.Count == 0 || clock.GetUtcNow() >= deadline)
            {
                return nodes;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock).ConfigureAwait(false);
        }
    }

    // The dotnet host that runs this program runs the nodes too (the same SDK); "dotnet" from PATH otherwise.
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static int Signal(int processId, int signal) => Kill(processId, signal);

    /// <summary>SIGTERM (15) or SIGKILL (9), as the chaos scenarios send them.</summary>
    public const int Terminate = SigTerm;

    /// <inheritdoc cref="Terminate"/>
    public const int ForceKill = SigKill;

    /// <summary>Sends <paramref name="signal"/> to a process the caller has just checked is the node's (<see cref="IsRunning"/>).</summary>
    public static void Send(int processId, int signal)
    {
        if (Kill(processId, signal) != 0)
        {
            throw new TestnetException($"kill({processId}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
