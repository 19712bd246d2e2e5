using System.Diagnostics;
using HiddenPoint.Client.Directory;
using HiddenPoint.Testnet;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// One benchmark network: 3 authorities and 8 relays, each its own <c>hpc-directory</c> or <c>hpc-relay</c> process on
/// its own 127.N.0.1 address, made and started by the testnet's own classes (<see cref="NodePlan"/>,
/// <see cref="NodeSetup"/>, <see cref="NodeProcesses"/>) with the testnet's timing, exactly as <c>testnet/run.sh</c>
/// starts them. Disposing it stops every process it started (SIGTERM, then SIGKILL).
/// </summary>
internal sealed class BenchNetwork : IAsyncDisposable
{
    public const int Relays = 8;

    /// <summary>The testnet's default voting interval.</summary>
    public static readonly TimeSpan VotingInterval = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan AuthorityListenTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly List<Process> _processes = [];

    private BenchNetwork(string directory, TestnetState state)
    {
        Directory = directory;
        State = state;
    }

    /// <summary>The network's folder: keys, configuration files and logs.</summary>
    public string Directory { get; }

    public TestnetState State { get; }

    /// <summary>When the first process (an authority) was started, a <see cref="Stopwatch"/> timestamp.</summary>
    public long StartedAt { get; private set; }

    /// <summary>The relays' process ids.</summary>
    public IReadOnlyList<int> RelayProcessIds => [.. State.Relays.Select(r => r.ProcessId)];

    /// <summary>Makes the keys and configuration (not timed), then starts the authorities and, once they listen, the relays.</summary>
    public static async Task<BenchNetwork> StartAsync(string directory, CancellationToken cancel)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var plan = NodePlan.Plan(Relays, NodePlan.IsPortFree);
        var state = new TestnetState { StartedAt = DateTimeOffset.UtcNow, VotingIntervalSeconds = (int)VotingInterval.TotalSeconds };
        state.Nodes.AddRange(await NodeSetup.MakeKeysAsync(directory, plan, cancel).ConfigureAwait(false));
        NodeSetup.WriteConfigurations(state.Nodes, VotingInterval);
        var network = new BenchNetwork(directory, state);
        try
        {
            network.StartedAt = Stopwatch.GetTimestamp();
            foreach (var authority in state.Authorities)
            {
                network.Start(authority);
            }

            await network.WaitForAuthoritiesAsync(cancel).ConfigureAwait(false);
            foreach (var relay in state.Relays)
            {
                network.Start(relay);
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The authorities as the client core's configuration names them.</summary>
    public List<ClientAuthorityOptions> ClientAuthorities() =>
        [.. State.Authorities.Select(a => new ClientAuthorityOptions { Nickname = a.Name, Address = a.Endpoint, Identity = a.Identity })];

    /// <summary>Throws when a node has exited, with the end of its log.</summary>
    public void CheckAlive()
    {
        foreach (var node in State.Nodes)
        {
            var process = _processes.FirstOrDefault(p => p.Id == node.ProcessId);
            if (process is { HasExited: true })
            {
                throw new BenchmarkException($"{node.Name} exited with code {process.ExitCode}; the end of its log:{Environment.NewLine}{LogTail(node.LogFile)}");
            }
        }
    }

    /// <summary>The last lines of a log file, indented, for a failure message.</summary>
    public static string LogTail(string logFile) =>
        File.Exists(logFile) ? "  " + string.Join(Environment.NewLine + "  ", File.ReadLines(logFile).TakeLast(8)) : "  (no log)";

    public async ValueTask DisposeAsync()
    {
        var started = State.Nodes.Where(n => n.ProcessId > 0).ToList();
        if (started.Count > 0)
        {
            var (_, left) = await NodeProcesses.StopAsync(started, StopGrace, TimeProvider.System).ConfigureAwait(false);
            foreach (var node in left)
            {
                await Console.Error.WriteLineAsync($"hpc-bench: {node.Name} (pid {node.ProcessId}) did not stop.").ConfigureAwait(false);
            }
        }

        foreach (var process in _processes)
        {
            process.Dispose();
        }
    }

    private void Start(NodeRecord node)
    {
        var process = NodeProcesses.Start(NodePrograms.For(node.Role), ["run", "--config", node.ConfigFile], node.LogFile);
        _processes.Add(process);
        node.ProcessId = process.Id;
    }

    private async Task WaitForAuthoritiesAsync(CancellationToken cancel)
    {
        var deadline = Stopwatch.GetTimestamp();
        foreach (var authority in State.Authorities)
        {
            while (!await RunCommand.IsListening(authority, cancel).ConfigureAwait(false))
            {
                CheckAlive();
                if (Stopwatch.GetElapsedTime(deadline) > AuthorityListenTimeout)
                {
                    throw new BenchmarkException($"{authority.Name} did not listen within {AuthorityListenTimeout.TotalSeconds:0} s:{Environment.NewLine}{LogTail(authority.LogFile)}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), cancel).ConfigureAwait(false);
            }
        }
    }
}
