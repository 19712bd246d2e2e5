using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace HiddenPoint.Benchmarks;

internal static class Program
{
    /// <summary>
    /// Runs the micro-benchmarks. Every figure is taken on one core (processor affinity 1), as
    /// ../docs/benchmarks.md defines; pass BenchmarkDotNet's own arguments, e.g. <c>--filter '*Cgo*'</c>.
    /// </summary>
    private static int Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.Default.WithAffinity(1).AsDefault());
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
