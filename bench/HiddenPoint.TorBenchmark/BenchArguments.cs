namespace HiddenPoint.TorBenchmark;

/// <summary>Why a command line was refused.</summary>
internal enum BenchArgumentsError
{
    None,
    JsonMissing,
    JsonPathMissing,
    UnknownArgument,
    Repeated,
    MaxMinutesInvalid,
}

/// <summary>The command line: <c>--json FILE</c> (required), <c>--quick</c>, <c>--keep</c>, <c>--scheduler-1ms</c>, <c>--max-minutes N</c>.</summary>
/// <param name="JsonPath">Where the figures are written as JSON.</param>
/// <param name="Quick">One network and the smallest sample counts the definitions allow (a run of at most 3 minutes).</param>
/// <param name="Keep">Leave the temporary folder (torrcs, data directories, logs) in place for debugging.</param>
/// <param name="OneMillisecondScheduler">Every tor runs its KIST scheduler every 1 ms (<c>KISTSchedRunInterval 1</c>)
/// instead of the network's default (10 ms): the "1 ms scheduler tick" variant of the figures.</param>
/// <param name="MaxMinutes">The bound on the whole run, in minutes (default <see cref="QuickMinutes"/> or <see cref="FullMinutes"/>).</param>
internal sealed record BenchArguments(string JsonPath, bool Quick, bool Keep, bool OneMillisecondScheduler, int MaxMinutes)
{
    /// <summary>A quick run's default bound: one network and the smallest samples take about 2 minutes on an idle machine.</summary>
    public const int QuickMinutes = 3;

    /// <summary>A full run's default bound: five networks and every sample take about 6 minutes on an idle machine.</summary>
    public const int FullMinutes = 10;

    /// <summary>The largest bound accepted.</summary>
    public const int MostMinutes = 120;

    public const string Usage = """
        HiddenPoint.TorBenchmark --json FILE [--quick] [--keep] [--scheduler-1ms]
            Starts a Tor test network of separate tor processes on 127.0.0.1 (3 directory authorities that are also
            relays, 5 relays, a v3 onion service with an echo port 7 and a bulk sink port 9, a client), measures the
            network figures of docs/performance.md, prints them as tor.<key>=<value> and writes them to FILE as JSON.
            --quick          one network and the smallest samples (at most 3 minutes; a full run takes at most 10)
            --keep           leave the temporary folder (torrcs, data directories, tor logs) for debugging
            --scheduler-1ms  every tor runs KIST every 1 ms (KISTSchedRunInterval 1) instead of the default 10 ms
            --max-minutes N  stop and fail after N minutes (default 3 with --quick, else 10; at most 120): on a heavily
                             loaded machine every step is slower
        """;

    /// <summary>Reads <paramref name="args"/>; on failure <paramref name="error"/> says why and the result is null.</summary>
    public static BenchArguments? Parse(IReadOnlyList<string> args, out BenchArgumentsError error)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? json = null;
        bool quick = false, keep = false, fast = false;
        int? maxMinutes = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    if (json is not null)
                    {
                        error = BenchArgumentsError.Repeated;
                        return null;
                    }

                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || args[i + 1].Length == 0)
                    {
                        error = BenchArgumentsError.JsonPathMissing;
                        return null;
                    }

                    json = args[++i];
                    break;
                case "--max-minutes":
                    if (maxMinutes is not null)
                    {
                        error = BenchArgumentsError.Repeated;
                        return null;
                    }

                    if (i + 1 >= args.Count
                        || !int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minutes)
                        || minutes < 1 || minutes > MostMinutes)
                    {
                        error = BenchArgumentsError.MaxMinutesInvalid;
                        return null;
                    }

                    maxMinutes = minutes;
                    i++;
                    break;
                case "--quick" when !quick:
                    quick = true;
                    break;
                case "--keep" when !keep:
                    keep = true;
                    break;
                case "--scheduler-1ms" when !fast:
                    fast = true;
                    break;
                case "--quick" or "--keep" or "--scheduler-1ms":
                    error = BenchArgumentsError.Repeated;
                    return null;
                default:
                    error = BenchArgumentsError.UnknownArgument;
                    return null;
            }
        }

        if (json is null)
        {
            error = BenchArgumentsError.JsonMissing;
            return null;
        }

        error = BenchArgumentsError.None;
        return new BenchArguments(json, quick, keep, fast, maxMinutes ?? (quick ? QuickMinutes : FullMinutes));
    }
}
