using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace HiddenPoint.Benchmarks;

internal static class Program
{
    private const string Usage = """
        HiddenPoint.Benchmarks [BenchmarkDotNet arguments]
            Runs the micro-benchmarks on one core (affinity 1), e.g. --filter '*Cgo*' --job short.
        HiddenPoint.Benchmarks --idle-host [seconds]
            Runs eight relays here and a hidden point online with three introduction points in a child process; prints
            the child's CPU use over an idle window of [seconds] (default 60) as idle_cpu_percent (of one core) and its
            resident size at the end as idle_rss_MB.
        HiddenPoint.Benchmarks --messaging [count]
            Runs three authorities, eight relays and two messengers here; prints messages_per_s (count acknowledged
            100-byte messages on one conversation, default 20,000) and the one-at-a-time round trip, median and p99.
        HiddenPoint.Benchmarks --relay-memory [circuits]
            Runs the testnet (3 authorities, 8 hpc-relay processes), builds [circuits] circuits (default 200), pushes
            50 MiB through a hidden-point connection and prints each relay's resident size after each phase.
        """;

    /// <summary>
    /// Runs the micro-benchmarks (every figure on one core, processor affinity 1, as ../docs/benchmarks.md defines; pass
    /// BenchmarkDotNet's own arguments, e.g. <c>--filter '*Cgo*'</c>), or, with <c>--idle-host [seconds]</c>, the idle
    /// figure of a hosted hidden point (<see cref="IdleHostFigure"/>).
    /// </summary>
    private static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == IdleHostFigure.ParentMode)
        {
            if (args.Length > 2 || !TryReadWindow(args.Length == 2 ? args[1] : null, out var window))
            {
                await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
            }

            return await IdleHostFigure.RunAsync(window).ConfigureAwait(false);
        }

        if (args.Length == 3 && args[0] == IdleHostFigure.ChildMode && TryReadWindow(args[2], out var childWindow))
        {
            return await IdleHostFigure.RunChildAsync(args[1], childWindow).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == MessagingFigure.Mode)
        {
            var count = MessagingFigure.DefaultCount;
            if (args.Length > 2 || (args.Length == 2 && !(int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is > 0 and <= 1_000_000)))
            {
                await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
            }

            return await MessagingFigure.RunAsync(count).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == RelayMemoryFigure.Mode)
        {
            var circuits = RelayMemoryFigure.DefaultCircuits;
            if (args.Length > 2 || (args.Length == 2 && !(int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out circuits) && circuits is > 0 and <= RelayMemoryFigure.MaxCircuits)))
            {
                await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
            }

            return await RelayMemoryFigure.RunAsync(circuits).ConfigureAwait(false);
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
        }

        var config = DefaultConfig.Instance
            .AddJob(Job.Default.WithAffinity(1).AsDefault());
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    private static bool TryReadWindow(string? text, out TimeSpan window)
    {
        window = IdleHostFigure.DefaultWindow;
        if (text is null)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600)
        {
            window = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return false;
    }
}
