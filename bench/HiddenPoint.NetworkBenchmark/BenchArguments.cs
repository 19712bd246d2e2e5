namespace HiddenPoint.NetworkBenchmark;

/// <summary>What the program was asked to do.</summary>
internal enum BenchMode
{
    /// <summary>Start the network and measure every figure.</summary>
    Run = 1,

    /// <summary>The hidden point's own process (started by <see cref="Run"/>).</summary>
    HostChild,

    /// <summary>Put the figures of two JSON files side by side and plot their round trips.</summary>
    Report,

    /// <summary>Print the usage.</summary>
    Help,
}

/// <summary>The command line, checked before anything starts; each problem names the argument.</summary>
internal sealed class BenchArguments
{
    public const string Usage = """
        HiddenPoint.NetworkBenchmark [--quick] [--json FILE] [--bulk-mb N]
            Starts 3 authorities and 8 relays (hpc-directory, hpc-relay: the testnet's programs and timing), a hidden
            point in a child process and the client core here; measures every figure of docs/benchmarks.md's network
            table and prints them between "==== hpc-bench results ====" and "==== end ====". --quick: one network
            instead of five and smaller samples (under 2 minutes). --json FILE: every figure and raw sample as JSON.
            --bulk-mb N: a bulk transfer of N MB instead of 50 (10 with --quick), long enough to profile a relay.
        HiddenPoint.NetworkBenchmark --report HPC.json TOR.json [--plot FILE.png]
            Prints both systems' figures and their ratios (hpc/tor) in one block and plots the round-trip
            distributions of both (default bench/results/rtt.png).
        """;

    public BenchMode Mode { get; private set; } = BenchMode.Run;

    /// <summary>One network instead of five, smaller samples.</summary>
    public bool Quick { get; private set; }

    /// <summary>The bulk transfer's size in MB (<c>--bulk-mb</c>) instead of the definition's 50 (10 with --quick): a
    /// longer transfer to attach a profiler to.</summary>
    public int? BulkMegabytes { get; private set; }

    /// <summary>Where the raw samples go (<c>--json</c>), or null.</summary>
    public string? JsonPath { get; private set; }

    /// <summary>The report's inputs (<c>--report HPC TOR</c>).</summary>
    public string? HpcJson { get; private set; }

    public string? TorJson { get; private set; }

    /// <summary>The report's plot.</summary>
    public string PlotPath { get; private set; } = Path.Combine("bench", "results", "rtt.png");

    /// <summary>The host child's arguments after its mode: data directory, then the authorities.</summary>
    public IReadOnlyList<string> ChildArguments { get; private set; } = [];

    public static BenchArguments Parse(IReadOnlyList<string> args, out List<string> problems)
    {
        var parsed = new BenchArguments();
        problems = [];
        if (args.Count > 0 && args[0] == HostChild.Mode)
        {
            parsed.Mode = BenchMode.HostChild;
            parsed.ChildArguments = [.. args.Skip(1)];
            if (parsed.ChildArguments.Count < 2)
            {
                problems.Add($"{HostChild.Mode}: needs a data directory and at least one authority.");
            }

            return parsed;
        }

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    parsed.Mode = BenchMode.Help;
                    break;
                case "--quick":
                    parsed.Quick = true;
                    break;
                case "--json" when i + 1 < args.Count:
                    parsed.JsonPath = Path.GetFullPath(args[++i]);
                    break;
                case "--bulk-mb" when i + 1 < args.Count:
                    if (int.TryParse(args[++i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var megabytes) && megabytes is > 0 and <= 100_000)
                    {
                        parsed.BulkMegabytes = megabytes;
                    }
                    else
                    {
                        problems.Add($"--bulk-mb: '{args[i]}' is not a whole number of MB from 1 to 100000.");
                    }

                    break;
                case "--plot" when i + 1 < args.Count:
                    parsed.PlotPath = args[++i];
                    break;
                case "--report" when i + 2 < args.Count:
                    parsed.Mode = BenchMode.Report;
                    parsed.HpcJson = args[++i];
                    parsed.TorJson = args[++i];
                    break;
                case "--json" or "--plot":
                    problems.Add($"{args[i]}: needs a file.");
                    break;
                case "--bulk-mb":
                    problems.Add("--bulk-mb: needs a size in MB.");
                    break;
                case "--report":
                    problems.Add("--report: needs two files, the hpc JSON and the Tor JSON.");
                    i = args.Count;
                    break;
                default:
                    problems.Add($"'{args[i]}' is not an option.");
                    break;
            }
        }

        if (parsed.Mode == BenchMode.Report && (parsed.Quick || parsed.JsonPath is not null || parsed.BulkMegabytes is not null))
        {
            problems.Add("--report takes only --plot besides its two files.");
        }

        return parsed;
    }
}
