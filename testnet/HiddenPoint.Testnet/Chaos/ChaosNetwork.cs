using System.Diagnostics;
using System.Globalization;
using System.Net;
using HiddenPoint.Testnet.Users;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// The network a chaos scenario runs on: the testnet's own nodes (hpc-directory, hpc-relay, hpc-client daemon, each
/// its own process, as <c>run</c> starts them) in a state folder of the run, optionally with a
/// <see cref="DelayingProxy"/> in front of every relay, and a <see cref="UserApi"/> to every user's daemon. The
/// scenario kills, stops and restarts nodes through it; <see cref="DisposeAsync"/> stops every process it started.
/// </summary>
internal sealed class ChaosNetwork : IAsyncDisposable
{
    private readonly ChaosOptions _options;
    private readonly Progress _progress;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Process> _processes = [];
    private readonly List<DelayingProxy> _proxies = [];
    private readonly Dictionary<string, UserApi> _users = [];
    private UserStep? _userStep;

    private ChaosNetwork(ChaosOptions options, Progress progress, TimeProvider clock)
    {
        _options = options;
        _progress = progress;
        _clock = clock;
    }

    /// <summary>The first port tried for a chaos network's authorities.</summary>
    public const int ChaosAuthorityPort = 17000;

    /// <summary>The first port tried for a chaos network's relays (behind a proxy, the relay itself 1000 above).</summary>
    public const int ChaosRelayPort = 19001;

    public TestnetState State { get; } = new();

    public IReadOnlyDictionary<string, UserApi> Users => _users;

    public IReadOnlyList<DelayingProxy> Proxies => _proxies;

    public string StateDirectory => _options.StateDirectory;

    /// <summary>Builds and starts the network and waits until every user's hidden point is published.</summary>
    public static async Task<ChaosNetwork> StartAsync(ChaosOptions options, Progress progress, TimeProvider clock, CancellationToken cancel)
    {
        var network = new ChaosNetwork(options, progress, clock);
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            bound.CancelAfter(options.Timeout);
            try
            {
                await network.BringUpAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new TestnetException($"the network was not up (every hidden point published) within {options.Timeout.TotalSeconds:0} s.");
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the node's process (it must be running).</summary>
    public static void Signal(NodeRecord node, int signal)
    {
        if (!NodeProcesses.IsRunning(node))
        {
            throw new TestnetException($"{node.Name} is not running; it cannot be signalled.");
        }

        NodeProcesses.Send(node.ProcessId, signal);
    }

    /// <summary>Waits up to <paramref name="limit"/> for the node's process to exit; its exit code, or null if it still runs.</summary>
    public async Task<int?> WaitForExitAsync(NodeRecord node, TimeSpan limit, CancellationToken cancel)
    {
        if (!_processes.TryGetValue(node.Name, out var process))
        {
            throw new TestnetException($"{node.Name} was not started by this run.");
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Starts a stopped authority or relay again with its configuration (same identity and keys).</summary>
    public void Restart(NodeRecord node)
    {
        if (NodeProcesses.IsRunning(node))
        {
            throw new TestnetException($"{node.Name} still runs; it cannot be started again.");
        }

        if (node.Role == NodeRole.User)
        {
            _userStep!.StartDaemon(node);
            return;
        }

        _processes.Remove(node.Name, out var previous);
        previous?.Dispose();
        var process = NodeProcesses.Start(NodePrograms.For(node.Role), ["run", "--config", node.ConfigFile], node.LogFile);
        _processes[node.Name] = process;
        node.ProcessId = process.Id;
        State.Save(StateDirectory);
    }

    /// <summary>Starts a user's daemon again and waits until it answers on its local API.</summary>
    public async Task RestartUserAsync(NodeRecord user, CancellationToken cancel)
    {
        Restart(user);
        await _users[user.Name].ConnectAsync(user.ProcessId, TimeSpan.FromSeconds(120), cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every user's daemon reports its hidden point published (or <paramref name="limit"/> passes);
    /// returns how long that took.
    /// </summary>
    public async Task<TimeSpan?> WaitForPublishedAsync(IEnumerable<string> users, TimeSpan limit, CancellationToken cancel)
    {
        var started = _clock.GetTimestamp();
        var waiting = users.ToList();
        while (waiting.Count > 0)
        {
            var published = new List<string>();
            foreach (var name in waiting)
            {
                try
                {
                    if ((await _users[name].StatusAsync(cancel).ConfigureAwait(false)).Published)
                    {
                        published.Add(name);
                    }
                }
                catch (DaemonDownException)
                {
                    // Still starting.
                }
            }

            waiting.RemoveAll(published.Contains);
            if (waiting.Count == 0)
            {
                break;
            }

            if (_clock.GetElapsedTime(started) > limit)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), _clock, cancel).ConfigureAwait(false);
        }

        return _clock.GetElapsedTime(started);
    }

    /// <summary>Every process this run started and still runs: SIGTERM, then SIGKILL after the grace.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var user in _users.Values)
        {
            await user.DisposeAsync().ConfigureAwait(false);
        }

        var started = State.Nodes.Where(n => n.ProcessId > 0).ToList();
        if (started.Count > 0)
        {
            var (killed, left) = await NodeProcesses.StopAsync(started, RunCommand.StopGrace, _clock).ConfigureAwait(false);
            var how = killed.Count == 0 ? "" : $" ({killed.Count} needed SIGKILL: {string.Join(", ", killed.Select(n => n.Name))})";
            _progress.Done($"stopped the {started.Count} nodes started{how}" + (left.Count > 0 ? $"; could not stop {string.Join(", ", left.Select(n => n.Name))}" : ""));
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var process in _processes.Values)
        {
            process.Dispose();
        }
    }

    private async Task BringUpAsync(CancellationToken cancel)
    {
        var directory = StateDirectory;
        foreach (var folder in new[] { "nodes", "logs", "users" })
        {
            var path = Path.Combine(directory, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        State.StartedAt = _clock.GetUtcNow();
        State.VotingIntervalSeconds = (int)_options.VotingInterval.TotalSeconds;
        // Ports of their own (17000, 19001), away from the usual ones that `run` and other testnets on this machine
        // search from: a scenario stops nodes for a while (CR-05's authorities for minutes), and a testnet started
        // meanwhile would take a freed usual port and keep the node from starting again.
        var plan = NodePlan.Plan(_options.Relays, NodePlan.IsPortFree, ChaosAuthorityPort, ChaosRelayPort, _options.Authorities);
        _progress.Show($"making keys ({plan.Count} nodes)...");
        State.Nodes.AddRange(await NodeSetup.MakeKeysAsync(directory, plan, cancel).ConfigureAwait(false));

        // Behind a proxy, a relay listens on a port of its own address 1000 above the advertised one (or the next
        // free one), and the proxy takes the advertised port.
        var behindProxy = _options.Proxies
            ? State.Relays.ToDictionary(r => r.Name, r => FreePort(IPAddress.Parse(r.Address), r.Port + 1000))
            : null;
        NodeSetup.WriteConfigurations(State.Nodes, _options.VotingInterval, behindProxy, hiddenPointDebugLog: true);
        State.Save(directory);
        _userStep = new UserStep(State, directory, _progress, _clock, _processes);

        foreach (var authority in State.Authorities)
        {
            StartNode(authority);
        }

        await WaitForAuthoritiesAsync(cancel).ConfigureAwait(false);
        if (behindProxy is not null)
        {
            var seed = _options.Seed;
            foreach (var relay in State.Relays)
            {
                var address = IPAddress.Parse(relay.Address);
                _proxies.Add(DelayingProxy.Start(
                    new IPEndPoint(address, relay.Port), new IPEndPoint(address, behindProxy[relay.Name]), _options.Impairment, seed++, _clock));
            }

            _progress.Done($"a delaying proxy in front of each relay: {_options.Impairment}");
        }

        foreach (var relay in State.Relays)
        {
            StartNode(relay);
        }

        _progress.Done($"{_options.Authorities} authorities and {_options.Relays} relays started");
        await _userStep.InitializeAsync(_options.Users, cancel).ConfigureAwait(false);
        await WaitForConsensusAsync(cancel).ConfigureAwait(false);
        await _userStep.StartAsync(_options.Timeout, cancel).ConfigureAwait(false);
        foreach (var user in State.Users)
        {
            var api = new UserApi(user, UserStep.DataDirectoryOf(directory, user.Name), _clock);
            _users[user.Name] = api;
            await api.ConnectAsync(user.ProcessId, _options.Timeout, cancel).ConfigureAwait(false);
        }

        var published = await WaitForPublishedAsync(_users.Keys, _options.Timeout, cancel).ConfigureAwait(false)
            ?? throw new TestnetException("not every user's hidden point was published in time; see the users' logs.");
        _progress.Done(string.Create(CultureInfo.InvariantCulture, $"{_users.Count} users' hidden points published ({published.TotalSeconds:0.0} s after their daemons answered)"));
    }

    private void StartNode(NodeRecord node)
    {
        var process = NodeProcesses.Start(NodePrograms.For(node.Role), ["run", "--config", node.ConfigFile], node.LogFile);
        _processes[node.Name] = process;
        node.ProcessId = process.Id;
        State.Save(StateDirectory);
    }

    private async Task WaitForAuthoritiesAsync(CancellationToken cancel)
    {
        while (true)
        {
            CheckAlive();
            var listening = await Task.WhenAll(State.Authorities.Select(a => RunCommand.IsListening(a, cancel))).ConfigureAwait(false);
            if (listening.All(l => l))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _clock, cancel).ConfigureAwait(false);
        }
    }

    private async Task WaitForConsensusAsync(CancellationToken cancel)
    {
        using var watch = new ConsensusWatch(State, _clock);
        while (true)
        {
            CheckAlive();
            var view = await watch.FetchAsync(cancel).ConfigureAwait(false);
            if (view is not null && view.Ready == watch.RelayCount)
            {
                _progress.Done($"the consensus lists all {watch.RelayCount} relays Running, Valid, Guard, HSDir");
                return;
            }

            _progress.Show(view is null ? "waiting for the first consensus" : $"consensus lists {view.Ready} of {watch.RelayCount} relays");
            await Task.Delay(TimeSpan.FromMilliseconds(250), _clock, cancel).ConfigureAwait(false);
        }
    }

    private void CheckAlive()
    {
        foreach (var node in State.Nodes)
        {
            if (_processes.TryGetValue(node.Name, out var process) && process.HasExited)
            {
                var tail = File.Exists(node.LogFile) ? File.ReadLines(node.LogFile).TakeLast(5) : [];
                throw new TestnetException($"{node.Name} exited with code {process.ExitCode}; the end of {node.LogFile}:{Environment.NewLine}  " +
                    string.Join(Environment.NewLine + "  ", tail));
            }
        }
    }

    private static int FreePort(IPAddress address, int first)
    {
        for (var port = first; port < first + 500; port++)
        {
            if (NodePlan.IsPortFree(address, port))
            {
                return port;
            }
        }

        throw new TestnetException($"no free port on {address} from {first} to {first + 499}.");
    }
}
