using System.Runtime.InteropServices;

// The testnet classes this program starts its network with run on Linux only (setsid, /proc, kill(2)).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace HiddenPoint.NetworkBenchmark;

internal static class Program
{
    /// <summary>The longest a whole run may take before it gives up and cleans up.</summary>
    private static readonly TimeSpan FullLimit = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan QuickLimit = TimeSpan.FromMinutes(3);

    private static async Task<int> Main(string[] args)
    {
        var arguments = BenchArguments.Parse(args, out var problems);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync(BenchArguments.Usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // Ctrl-C and SIGTERM cancel the run, whose cleanup then stops every process it started and removes its folder.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            switch (arguments.Mode)
            {
                case BenchMode.Help:
                    Console.WriteLine(BenchArguments.Usage);
                    return ExitCodes.Ok;
                case BenchMode.HostChild:
                    return await HostChild.RunAsync(arguments.ChildArguments, stop.Token).ConfigureAwait(false);
                case BenchMode.Report:
                    return await ReportCommand.RunAsync(arguments.HpcJson!, arguments.TorJson!, arguments.PlotPath, Console.Out).ConfigureAwait(false);
                default:
                    stop.CancelAfter(arguments.Quick ? QuickLimit : FullLimit);
                    return await new NetworkRun(arguments.Quick, arguments.JsonPath, arguments.BulkMegabytes, Console.Out, Console.Error).RunAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("hpc-bench: interrupted or out of time; everything started was stopped.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
