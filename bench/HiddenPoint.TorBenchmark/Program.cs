using System.Globalization;
using System.Runtime.InteropServices;

namespace HiddenPoint.TorBenchmark;

// The benchmark reads /proc and runs Debian's tor: Linux only.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class Program
{
    private const int Failed = 1;
    private const int UsageError = 2;
    private const int Interrupted = 130;

    /// <summary>
    /// Runs the Tor side of the network benchmark (see <see cref="BenchArguments.Usage"/>): the figures go to stdout as
    /// <c>tor.key=value</c> lines and to the --json file; progress and errors go to stderr. Every tor is killed and the
    /// temporary folder deleted at the end, on failure and on Ctrl-C or SIGTERM too.
    /// </summary>
    private static async Task<int> Main(string[] args)
    {
        var arguments = BenchArguments.Parse(args, out var error);
        if (arguments is null)
        {
            await Console.Error.WriteLineAsync($"{error}\n{BenchArguments.Usage}").ConfigureAwait(false);
            return UsageError;
        }

        var bound = TimeSpan.FromMinutes(arguments.MaxMinutes);
        using var stop = new CancellationTokenSource(bound);
        var interrupted = false;
        void Interrupt(PosixSignalContext context)
        {
            // Let the run unwind (kill the tors, delete the folder) instead of the runtime ending the process at once.
            context.Cancel = true;
            interrupted = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        var result = new BenchResult(DateTimeOffset.UtcNow, MachineDescription.Describe(), arguments.Quick);
        var folder = Path.Combine(Path.GetTempPath(), "hpc-torbench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await Console.Error.WriteLineAsync($"tor benchmark in {folder}; load average {MachineDescription.LoadAverage()}").ConfigureAwait(false);
            await new TorBenchmarkRun(arguments, folder).RunAsync(result, stop.Token).ConfigureAwait(false);
            await File.WriteAllTextAsync(arguments.JsonPath, result.ToJson(), CancellationToken.None).ConfigureAwait(false);
            await Console.Out.WriteAsync(result.ToTextLines()).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"figures written to {arguments.JsonPath}; load average {MachineDescription.LoadAverage()}").ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync(interrupted
                ? "Interrupted; the tors are stopped."
                : string.Create(CultureInfo.InvariantCulture, $"The run took longer than its bound of {bound.TotalMinutes:0} minutes; the tors are stopped.")).ConfigureAwait(false);
            await WritePartialAsync(result).ConfigureAwait(false);
            return interrupted ? Interrupted : Failed;
        }
        catch (TorBenchmarkException e)
        {
            await Console.Error.WriteLineAsync($"tor benchmark failed: {e.Message}").ConfigureAwait(false);
            await WritePartialAsync(result).ConfigureAwait(false);
            return Failed;
        }
        finally
        {
            // Every tor is already killed by the networks' Dispose on the way out; what is left is the folder.
            if (arguments.Keep)
            {
                await Console.Error.WriteLineAsync($"kept {folder}").ConfigureAwait(false);
            }
            else if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The figures taken before a failure, on stderr only: no JSON and no stdout lines for an incomplete run.</summary>
    private static async Task WritePartialAsync(BenchResult result)
    {
        if (result.Figures.Count > 0)
        {
            await Console.Error.WriteAsync("figures taken before the run stopped (incomplete, not written to the JSON file):\n" + result.ToTextLines()).ConfigureAwait(false);
        }
    }
}
