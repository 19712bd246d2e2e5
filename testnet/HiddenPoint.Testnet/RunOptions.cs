using System.Globalization;

namespace HiddenPoint.Testnet;

/// <summary>What <c>hpc-testnet run</c> was asked for, checked before anything starts.</summary>
internal sealed class RunOptions
{
    /// <summary>Directory authorities: three, so that one may be down and two still make a majority.</summary>
    public const int Authorities = 3;

    /// <summary>Most authorities a chaos network may ask for (<c>--authorities</c>; CR-06 stops 2 of 5).</summary>
    public const int MaxAuthorities = 9;

    /// <summary>Fewest relays: a circuit has three hops and needs three relays in different /16s.</summary>
    public const int MinRelays = 3;

    /// <summary>Most relays: every node has its own 127.N.0.1 address (N from 1 to 254), three of them authorities.</summary>
    public const int MaxRelays = 254 - Authorities;

    /// <summary>Most users a testnet may start.</summary>
    public const int MaxUsers = 100;

    /// <summary>Relays started (default 8).</summary>
    public int Relays { get; set; } = 8;

    /// <summary>Users (alice, bob, user3, …) to start once the consensus lists the relays (default 2; 0 for none; see <see cref="Users.UserStep"/>).</summary>
    public int Users { get; set; } = 2;

    /// <summary>The folder for every key, configuration file, log and process id of the testnet.</summary>
    public string StateDirectory { get; set; } = Path.GetFullPath(".state");

    /// <summary>The longest wait for a consensus that lists every relay; the run fails and stops everything after it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The authorities' voting interval: a consensus every this many seconds (default 4).</summary>
    public TimeSpan VotingInterval { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Stop the whole network once the consensus lists every relay (a check for CI), instead of leaving it running.</summary>
    public bool Smoke { get; set; }

    /// <summary>Parses the arguments after <c>run</c>; the problems name the option.</summary>
    public static RunOptions Parse(IReadOnlyList<string> args, out List<string> problems)
    {
        var options = new RunOptions();
        problems = [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--smoke":
                    options.Smoke = true;
                    continue;
                case "--relays" or "--users" or "--state-dir" or "--timeout" or "--voting-interval" when i + 1 < args.Count:
                    break;
                case "--relays" or "--users" or "--state-dir" or "--timeout" or "--voting-interval":
                    problems.Add($"{arg}: needs a value.");
                    continue;
                default:
                    problems.Add($"'{arg}' is not an option of run.");
                    continue;
            }

            var value = args[++i];
            switch (arg)
            {
                case "--relays":
                    options.Relays = Number(arg, value, MinRelays, MaxRelays, problems) ?? options.Relays;
                    break;
                case "--users":
                    options.Users = Number(arg, value, 0, MaxUsers, problems) ?? options.Users;
                    break;
                case "--state-dir":
                    options.StateDirectory = Path.GetFullPath(value);
                    break;
                case "--timeout":
                    options.Timeout = Seconds(arg, value, 10, 3600, problems) ?? options.Timeout;
                    break;
                case "--voting-interval":
                    options.VotingInterval = Seconds(arg, value, 2, 600, problems) ?? options.VotingInterval;
                    break;
            }
        }

        return options;
    }

    /// <summary>The whole number <paramref name="text"/> if it is from <paramref name="min"/> to <paramref name="max"/>; otherwise a problem naming <paramref name="option"/>.</summary>
    internal static int? Number(string option, string text, int min, int max, List<string> problems)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{option}: '{text}' is not a whole number from {min} to {max}.");
        return null;
    }

    /// <summary><see cref="Number"/> as a number of seconds.</summary>
    internal static TimeSpan? Seconds(string option, string text, int min, int max, List<string> problems) =>
        Number(option + " (seconds)", text, min, max, problems) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
}
