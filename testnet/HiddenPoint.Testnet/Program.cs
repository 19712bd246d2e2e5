// The testnet runs nodes through setsid and signals them with kill(2): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace HiddenPoint.Testnet;

internal static class Program
{
    private const string Usage = """
        hpc-testnet: a local HiddenPoint network of separate processes (testnet/run.sh runs it).

        Commands (STATE is --state-dir, default ./.state; run.sh gives testnet/.state):
          hpc-testnet run [--relays N] [--users M] [--timeout S] [--voting-interval S] [--smoke] [--state-dir STATE]
              Makes keys (hpc-directory keygen, hpc-relay keygen) and configuration for 3 directory authorities and
              N relays (default 8, 3 to 251), each on its own address 127.K.0.1 (authorities K = 1-3, relays from 4),
              starts each as its own process (hpc-directory run, hpc-relay run), and waits until a consensus lists
              every relay Running, Valid, Guard and HSDir. Then prints the nodes and leaves them running.
              --timeout S          give up after S seconds (default 120), stopping everything started
              --voting-interval S  a consensus every S seconds (default 4)
              --smoke              stop the network again once the consensus lists every relay (CI)
              --users M            users (hpc-client init + daemon) to start, each sending every other a message (default 2: alice and bob; 0 for none)
              A run that fails or is interrupted stops every process it started. A run while a testnet is up in
              STATE is refused (exit 3).
          hpc-testnet stop [--state-dir STATE]     stop every node by its recorded process id (SIGTERM, then SIGKILL)
          hpc-testnet status [--state-dir STATE]   which nodes are up; the newest consensus' age and relays
          hpc-testnet logs [NODE] [--state-dir STATE]  NODE's whole log, or the last lines of every node's
          hpc-testnet clean [--state-dir STATE]    stop, then remove STATE
          hpc-testnet chaos SCENARIO [--authorities A] [--relays N] [--users M] [--minutes N | --seconds N] [--rate R] [--size B]
                      [--kill-every S] [--down-for S] [--messages N] [--delay-ms D] [--loss-percent P[,P...]]
                      [--seed N] [--voting-interval S] [--timeout S] [--drain-timeout S] [--p99-bar S] [--state-dir STATE]
              Brings up a testnet of its own (default 5 relays, users alice and bob), has every user send every
              other numbered messages through its daemon, injects the scenario's fault, prints a result table
              (sent, delivered, lost, duplicated, delivery times, recovery) and stops everything. Exit 0 only when
              every row met its bar. --delay-ms / --loss-percent put a delaying proxy in front of every relay.
              Scenarios: cr-01 cr-02 cr-03 cr-05 cr-06 cr-07 cr-08 net-std (testnet/README.md, "Chaos scenarios").

        Exit codes: 0 success; 1 failure (status: a node is down); 3 a testnet already runs in STATE;
        64 usage error; 130 interrupted.
        """;

    internal static async Task<int> Main(string[] args)
    {
        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        var clock = TimeProvider.System;
        if (args is [] or ["--help" or "-h" or "help", ..])
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        var rest = args[1..].ToList();
        var stateDirectory = TakeStateDirectory(rest);
        try
        {
            switch (args[0])
            {
                case "run":
                    return await Run(rest, stateDirectory, clock).ConfigureAwait(false);
                case "stop" when rest.Count == 0:
                    return await StopCommand.RunAsync(stateDirectory, Console.Out, clock).ConfigureAwait(false);
                case "status" when rest.Count == 0:
                    return await StatusCommand.RunAsync(stateDirectory, Console.Out, clock, CancellationToken.None).ConfigureAwait(false);
                case "logs" when rest.Count <= 1:
                    return await LogsCommand.RunAsync(stateDirectory, rest.FirstOrDefault(), Console.Out).ConfigureAwait(false);
                case "chaos":
                    return await Chaos(rest, stateDirectory, clock).ConfigureAwait(false);
                case "clean" when rest.Count == 0:
                    return await CleanCommand.RunAsync(stateDirectory, Console.Out, clock).ConfigureAwait(false);
                default:
                    await Console.Error.WriteLineAsync($"hpc-testnet: unknown command or arguments '{string.Join(' ', args)}'. Run `hpc-testnet --help`.").ConfigureAwait(false);
                    return ExitCodes.Usage;
            }
        }
        catch (TestnetException e)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet {args[0]}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> Chaos(List<string> args, string stateDirectory, TimeProvider clock)
    {
        var options = HiddenPoint.Testnet.Chaos.ChaosOptions.Parse(args, out var problems);
        if (options is null || problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync("hpc-testnet chaos: " + problem).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        options.StateDirectory = stateDirectory;
        return await Interruptible(cancel => new HiddenPoint.Testnet.Chaos.ChaosCommand(options, Console.Out, clock).RunAsync(cancel)).ConfigureAwait(false);
    }

    private static async Task<int> Run(List<string> args, string stateDirectory, TimeProvider clock)
    {
        var options = RunOptions.Parse(args, out var problems);
        options.StateDirectory = stateDirectory;
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync("hpc-testnet run: " + problem).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        return await Interruptible(cancel => new RunCommand(options, Console.Out, clock).RunAsync(cancel)).ConfigureAwait(false);
    }

    // Ctrl-C (or SIGTERM) ends the command's wait; the command then stops what it started before exiting.
    private static async Task<int> Interruptible(Func<CancellationToken, Task<int>> command)
    {
        // Ctrl-C (or SIGTERM) ends the wait; the run then stops what it started before exiting.
        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });
        try
        {
            return await command(interrupted.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    // --state-dir may come anywhere after the command.
    // run.sh always passes its own --state-dir first; one the user gives after it wins, as a later option does.
    private static string TakeStateDirectory(List<string> args)
    {
        var directory = Path.GetFullPath(".state");
        for (var at = args.IndexOf("--state-dir"); at >= 0 && at + 1 < args.Count; at = args.IndexOf("--state-dir"))
        {
            directory = Path.GetFullPath(args[at + 1]);
            args.RemoveRange(at, 2);
        }

        return directory;
    }
}
