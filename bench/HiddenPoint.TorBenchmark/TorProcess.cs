using System.Diagnostics;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// One running tor: started with its own torrc (and an empty defaults torrc, so that the system's /etc/tor/torrc plays
/// no part) from its data directory, its output drained and the last lines kept for error messages, killed with its
/// process tree when disposed.
/// </summary>
internal sealed class TorProcess : IDisposable
{
    private const int KeptLines = 20;
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _linesGate = new();

    private TorProcess(TorNode node, Process process)
    {
        Node = node;
        _process = process;
    }

    /// <summary>The tor binary: Debian's, else the first on PATH.</summary>
    public static string TorBinary => File.Exists("/usr/sbin/tor") ? "/usr/sbin/tor" : "tor";

    /// <summary>The tor this process runs.</summary>
    public TorNode Node { get; }

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="node"/>'s tor with its torrc; <paramref name="emptyTorrc"/> is an empty file.</summary>
    public static TorProcess Start(TorNode node, string emptyTorrc)
    {
        ArgumentNullException.ThrowIfNull(node);
        var start = new ProcessStartInfo(TorBinary)
        {
            WorkingDirectory = node.DataDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--defaults-torrc", emptyTorrc, "-f", node.TorrcPath })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var tor = new TorProcess(node, process);
        process.OutputDataReceived += (_, e) => tor.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => tor.Keep(e.Data);
        try
        {
            if (!process.Start())
            {
                throw new TorBenchmarkException($"{TorBinary} did not start for {node.Nickname}.");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new TorBenchmarkException($"Cannot run {TorBinary} (is Debian's tor installed?).", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tor;
    }

    /// <summary>What the tor wrote last (for an error message when it exited early).</summary>
    public string LastLines()
    {
        lock (_linesGate)
        {
            return string.Join('\n', _lastLines);
        }
    }

    /// <summary>Fails when the tor has exited (used while waiting on it, so that a dead tor fails fast with its reason).</summary>
    /// <exception cref="TorBenchmarkException">It exited.</exception>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new TorBenchmarkException($"tor {Node.Nickname} exited with code {_process.ExitCode}:\n{LastLines()}");
        }
    }

    /// <summary>Kills the tor and its process tree and waits (bounded) for it to be gone.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_linesGate)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
