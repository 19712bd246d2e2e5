using System.Diagnostics;
using HiddenPoint.Client.Directory;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// The parent's handle on the host child (<see cref="HostChild"/>): starts it, reads what it announces and stops it.
/// Its standard error goes to a log file in the run's folder.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _hiddenId = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private readonly Task _logging;

    private HostProcess(Process process, string logFile)
    {
        _process = process;
        LogFile = logFile;
        _reading = ReadAnnouncementsAsync();
        _logging = CopyErrorsAsync(logFile);
    }

    public string LogFile { get; }

    /// <summary>The hidden point's id, as soon as the child made its identity.</summary>
    public Task<string> HiddenId => _hiddenId.Task;

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the child said its descriptor was stored at an HSDir.</summary>
    public Task<long> Published => _published.Task;

    public static HostProcess Start(string dataDirectory, IEnumerable<ClientAuthorityOptions> authorities, string logFile)
    {
        var processPath = Environment.ProcessPath ?? throw new BenchmarkException("the path of this process is unknown.");
        var start = new ProcessStartInfo(processPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Run through the dotnet host, the child needs this assembly named; run as the app host, it is the program.
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(HostChild).Assembly.Location);
        }

        start.ArgumentList.Add(HostChild.Mode);
        start.ArgumentList.Add(dataDirectory);
        foreach (var authority in authorities)
        {
            start.ArgumentList.Add(BenchClientOptions.Format(authority));
        }

        var process = Process.Start(start) ?? throw new BenchmarkException("the host process did not start.");
        return new HostProcess(process, logFile);
    }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Throws when the child has exited, with the end of its log.</summary>
    public void CheckAlive()
    {
        if (_process.HasExited)
        {
            throw new BenchmarkException($"the host exited with code {_process.ExitCode}:{Environment.NewLine}{BenchNetwork.LogTail(LogFile)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Closing standard input asks the child to stop; it is killed (with anything it started) if it does not.
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(ExitGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(_reading, _logging).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    private async Task ReadAnnouncementsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(HostChild.HiddenIdLine, StringComparison.Ordinal))
            {
                _hiddenId.TrySetResult(line[HostChild.HiddenIdLine.Length..].Trim());
            }
            else if (line == HostChild.PublishedLine)
            {
                _published.TrySetResult(Stopwatch.GetTimestamp());
            }
        }

        var ended = new BenchmarkException("the host process ended before it was published.");
        _hiddenId.TrySetException(ended);
        _published.TrySetException(ended);
    }

    private async Task CopyErrorsAsync(string logFile)
    {
        var log = File.Create(logFile);
        await using (log.ConfigureAwait(false))
        {
            await _process.StandardError.BaseStream.CopyToAsync(log).ConfigureAwait(false);
        }
    }
}
