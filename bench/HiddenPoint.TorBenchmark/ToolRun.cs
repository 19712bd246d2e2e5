using System.Diagnostics;

namespace HiddenPoint.TorBenchmark;

/// <summary>Runs a short-lived tool (tor-gencert, tor --list-fingerprint) to its end, bounded; kills it when the bound passes.</summary>
internal static class ToolRun
{
    /// <summary>How long one key-generation tool may run on a loaded machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>, writing
    /// <paramref name="standardInput"/> to it; returns its output.</summary>
    /// <exception cref="TorBenchmarkException">It failed to start, exited with a non-zero code, or ran past <see cref="Bound"/>.</exception>
    public static async Task<string> RunAsync(
        string file, IEnumerable<string> args, string workingDirectory, string standardInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new TorBenchmarkException($"{file} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TorBenchmarkException($"Cannot run {file} (is Debian's tor installed?).", e);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Bound);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TorBenchmarkException($"{file} was still running after {Bound.TotalSeconds:0} s; killed.");
            }

            var text = await output.ConfigureAwait(false);
            var errors = await error.ConfigureAwait(false);
            return process.ExitCode == 0
                ? text
                : throw new TorBenchmarkException($"{file} {string.Join(' ', start.ArgumentList)} exited with code {process.ExitCode}:\n{text}{errors}");
        }
    }
}
