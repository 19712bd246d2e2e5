using System.Globalization;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>What <c>hpc-testnet chaos SCENARIO</c> was asked for, checked before anything starts.</summary>
internal sealed class ChaosOptions
{
    public required string Scenario { get; init; }

    /// <summary>Relays (default 5: NET-MIN).</summary>
    public int Relays { get; set; } = 5;

    /// <summary>Directory authorities (default 3; CR-06 runs 5).</summary>
    public int Authorities { get; set; } = RunOptions.Authorities;

    /// <summary>Users (default 2: alice and bob, each talking to the other).</summary>
    public int Users { get; set; } = 2;

    /// <summary>How long the fault phase lasts, where a scenario has one (CR-01: default 10 minutes; CR-05: the outage).</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Messages a second per ordered pair of users while faults happen (default 10).</summary>
    public double Rate { get; set; } = 10;

    /// <summary>Bytes of each message's text (default 256).</summary>
    public int Size { get; set; } = 256;

    /// <summary>CR-01: seconds between kills (default 30).</summary>
    public TimeSpan KillEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>CR-01: how long a killed relay stays down (default 10 s).</summary>
    public TimeSpan DownFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>net-std: messages per pair at each loss level (default 50).</summary>
    public int MessagesPerLevel { get; set; } = 50;

    /// <summary>The one-way delay of every relay link (proxies are put in front of the relays when it or a loss is set).</summary>
    public int DelayMs { get; set; }

    /// <summary>The loss levels, in percent (net-std runs each in turn; the other scenarios use the first).</summary>
    public IReadOnlyList<double> LossPercents { get; set; } = [0];

    public int Seed { get; set; } = Environment.TickCount & 0x7fffffff;

    public TimeSpan VotingInterval { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The longest the network may take to come up (every hidden point published).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>The longest the runner waits, after the traffic stops, for every message to be delivered.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// cr-01's bar on the delivery p99 (TEST-MATRIX: 30 s); null (<c>--p99-bar 0</c>) reports the times without
    /// failing on them, for a short run on a loaded machine where only what arrived is judged.
    /// </summary>
    public TimeSpan? P99Bar { get; set; } = TimeSpan.FromSeconds(30);

    public string StateDirectory { get; set; } = Path.GetFullPath(".state");

    /// <summary>Whether relays get a <see cref="DelayingProxy"/> in front of them.</summary>
    public bool Proxies { get; set; }

    public LinkImpairment Impairment => new(TimeSpan.FromMilliseconds(DelayMs), LossPercents[0] / 100);

    /// <summary>Parses the arguments after <c>chaos</c>; the problems name the option.</summary>
    public static ChaosOptions? Parse(IReadOnlyList<string> args, out List<string> problems)
    {
        problems = [];
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            problems.Add("chaos needs a scenario: " + string.Join(", ", Scenarios.ChaosScenarios.Names) + ".");
            return null;
        }

        var options = new ChaosOptions { Scenario = args[0].ToLowerInvariant() };
        if (Scenarios.ChaosScenarios.Find(options.Scenario) is null)
        {
            problems.Add($"'{args[0]}' is not a scenario; the scenarios are " + string.Join(", ", Scenarios.ChaosScenarios.Names) + ".");
        }

        var lossGiven = false;
        for (var i = 1; i < args.Count; i++)
        {
            var option = args[i];
            if (i + 1 >= args.Count)
            {
                problems.Add($"{option}: needs a value, or is not an option of chaos.");
                break;
            }

            var value = args[++i];
            switch (option)
            {
                case "--relays":
                    options.Relays = Number(option, value, RunOptions.MinRelays, RunOptions.MaxRelays, problems) ?? options.Relays;
                    break;
                case "--authorities":
                    options.Authorities = Number(option, value, RunOptions.Authorities, RunOptions.MaxAuthorities, problems) ?? options.Authorities;
                    break;
                case "--users":
                    options.Users = Number(option, value, 2, 20, problems) ?? options.Users;
                    break;
                case "--minutes":
                    options.Duration = Number(option, value, 1, 24 * 60, problems) is { } minutes ? TimeSpan.FromMinutes(minutes) : null;
                    break;
                case "--seconds":
                    options.Duration = RunOptions.Seconds(option, value, 5, 24 * 3600, problems);
                    break;
                case "--rate":
                    options.Rate = Decimal(option, value, 0.1, 100, problems) ?? options.Rate;
                    break;
                case "--size":
                    options.Size = Number(option, value, 32, 16_384, problems) ?? options.Size;
                    break;
                case "--kill-every":
                    options.KillEvery = RunOptions.Seconds(option, value, 5, 3600, problems) ?? options.KillEvery;
                    break;
                case "--down-for":
                    options.DownFor = RunOptions.Seconds(option, value, 1, 3600, problems) ?? options.DownFor;
                    break;
                case "--messages":
                    options.MessagesPerLevel = Number(option, value, 1, 100_000, problems) ?? options.MessagesPerLevel;
                    break;
                case "--delay-ms":
                    options.DelayMs = Number(option, value, 0, 5000, problems) ?? options.DelayMs;
                    break;
                case "--loss-percent":
                    var levels = new List<double?>();
                    foreach (var level in value.Split(','))
                    {
                        levels.Add(Decimal(option, level, 0, 50, problems));
                    }

                    if (levels.All(l => l is not null))
                    {
                        options.LossPercents = [.. levels.Select(l => l!.Value)];
                        lossGiven = true;
                    }

                    break;
                case "--seed":
                    options.Seed = Number(option, value, 0, int.MaxValue, problems) ?? options.Seed;
                    break;
                case "--voting-interval":
                    options.VotingInterval = RunOptions.Seconds(option, value, 2, 600, problems) ?? options.VotingInterval;
                    break;
                case "--timeout":
                    options.Timeout = RunOptions.Seconds(option, value, 10, 3600, problems) ?? options.Timeout;
                    break;
                case "--p99-bar":
                    options.P99Bar = Number(option, value, 0, 3600, problems) is { } bar ? (bar == 0 ? null : TimeSpan.FromSeconds(bar)) : options.P99Bar;
                    break;
                case "--drain-timeout":
                    options.DrainTimeout = RunOptions.Seconds(option, value, 5, 3600, problems) ?? options.DrainTimeout;
                    break;
                default:
                    problems.Add($"'{option}' is not an option of chaos.");
                    break;
            }
        }

        if (options.Scenario == "net-std")
        {
            // NET-STD: 50 ms on every link and the loss levels 0, 1 and 2 %, unless asked otherwise.
            options.DelayMs = args.Contains("--delay-ms") ? options.DelayMs : 50;
            options.LossPercents = lossGiven ? options.LossPercents : [0, 1, 2];
        }

        if (options.Scenario == "cr-06" && !args.Contains("--authorities"))
        {
            // CR-06: two of five authorities stop.
            options.Authorities = 5;
        }

        if (options.Authorities + options.Relays > 254)
        {
            problems.Add($"--authorities and --relays: {options.Authorities} + {options.Relays} nodes do not fit in 127.1.0.1 to 127.254.0.1.");
        }

        options.Proxies = options.DelayMs > 0 || options.LossPercents.Any(l => l > 0);
        return options;
    }

    private static int? Number(string option, string text, int min, int max, List<string> problems) =>
        RunOptions.Number(option, text, min, max, problems);

    private static double? Decimal(string option, string text, double min, double max, List<string> problems)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{option}: '{text}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }
}
