using System.Diagnostics;
using System.Globalization;
using HiddenPoint.Testnet.Users;

namespace HiddenPoint.Testnet;

/// <summary>
/// <c>hpc-testnet run</c>: makes keys and configuration for 3 authorities and the relays, starts each as its own
/// process, and waits until a consensus lists every relay the way clients need it. A run that fails (a node exits,
/// the timeout passes, Ctrl-C) stops every process it started; a run that succeeds leaves them running, unless
/// <c>--smoke</c> asks it to stop them too.
/// </summary>
internal sealed class RunCommand
{
    /// <summary>How long stopping gives the nodes between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);
    private readonly RunOptions _options;
    private readonly TextWriter _output;
    private readonly TimeProvider _clock;
    private readonly Progress _progress;
    private readonly Dictionary<string, Process> _processes = [];

    public RunCommand(RunOptions options, TextWriter output, TimeProvider clock)
    {
        _options = options;
        _output = output;
        _clock = clock;
        _progress = new Progress(output, clock, inPlace: !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
    }

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var directory = _options.StateDirectory;
        using var held = StateLock.TryTake(directory);
        if (held is null)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet run: another run or clean is working in {directory}.").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        if (TestnetState.Load(directory) is { } previous && previous.Nodes.Count(NodeProcesses.IsRunning) is var up and > 0)
        {
            await Console.Error.WriteLineAsync(
                $"hpc-testnet run: a testnet is already running in {directory} ({up} of {previous.Nodes.Count} nodes up). " +
                "Use `run.sh status` to see it, or `run.sh stop` first.").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        ClearPrevious(directory);
        var state = new TestnetState { StartedAt = _clock.GetUtcNow(), VotingIntervalSeconds = (int)_options.VotingInterval.TotalSeconds };
        var succeeded = false;
        try
        {
            var users = new UserStep(state, directory, _progress, _clock, _processes);
            await StartNetwork(state, cancel).ConfigureAwait(false);
            if (_options.Users > 0)
            {
                // Identities and stores need no network: made while the authorities vote the relays in.
                await users.InitializeAsync(_options.Users, cancel).ConfigureAwait(false);
            }

            var view = await WaitForConsensus(state, cancel).ConfigureAwait(false);
            state.BootstrapSeconds = Math.Round(_progress.Elapsed.TotalSeconds, 1);
            state.Save(directory);
            (int Delivered, int Expected, TimeSpan Slowest, TimeSpan FirstDelivered)? exchange = null;
            if (_options.Users > 0)
            {
                var remaining = _options.Timeout - _progress.Elapsed;
                remaining = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
                await users.StartAsync(remaining, cancel).ConfigureAwait(false);
                var sending = _progress.Elapsed;
                remaining = _options.Timeout - sending;
                exchange = await users.ExchangeAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancel).ConfigureAwait(false);
                if (exchange.Value.Delivered > 0)
                {
                    state.FirstDeliveredSeconds = Math.Round((sending + exchange.Value.FirstDelivered).TotalSeconds, 1);
                }

                state.Save(directory);
                if (exchange.Value.Delivered < exchange.Value.Expected)
                {
                    PrintSummary(state, view, users, exchange);
                    throw new TestnetException($"only {exchange.Value.Delivered} of {exchange.Value.Expected} messages were delivered; see the users' logs.");
                }
            }

            PrintSummary(state, view, users, exchange);
            succeeded = true;
        }
        catch (TestnetException e)
        {
            _progress.Done("failed: " + e.Message);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            _progress.Done("interrupted.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The state folder cannot be written (a full disk, its permissions): still stop what was started.
            _progress.Done("failed: " + e.Message);
        }
        finally
        {
            if (!succeeded || _options.Smoke)
            {
                await StopStarted(state, succeeded).ConfigureAwait(false);
            }

            foreach (var process in _processes.Values)
            {
                process.Dispose();
            }
        }

        return succeeded ? ExitCodes.Ok : cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Failure;
    }

    // A new run starts from new keys: a consensus or descriptors kept from an earlier network would only confuse it.
    private static void ClearPrevious(string directory)
    {
        foreach (var folder in new[] { "nodes", "logs", "users" })
        {
            var path = Path.Combine(directory, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        File.Delete(TestnetState.PathIn(directory));
    }

    private async Task StartNetwork(TestnetState state, CancellationToken cancel)
    {
        var directory = _options.StateDirectory;
        _progress.Done($"Starting a testnet of {RunOptions.Authorities} authorities and {_options.Relays} relays in {directory}");
        var plan = NodePlan.Plan(_options.Relays, NodePlan.IsPortFree);
        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        _progress.Show($"making keys ({plan.Count} nodes)...");
        state.Nodes.AddRange(await NodeSetup.MakeKeysAsync(directory, plan, cancel).ConfigureAwait(false));
        NodeSetup.WriteConfigurations(state.Nodes, _options.VotingInterval);
        state.Save(directory);
        _progress.Done($"keys and configuration made for {plan.Count} nodes (hpc-directory keygen, hpc-relay keygen)");

        // Authorities first: a relay that finds none answering backs off for seconds before it uploads again.
        foreach (var authority in state.Authorities)
        {
            StartNode(state, authority);
        }

        await WaitForAuthorities(state, cancel).ConfigureAwait(false);
        _progress.Done($"{RunOptions.Authorities} authorities up ({string.Join(", ", state.Authorities.Select(a => a.Endpoint))})");
        foreach (var relay in state.Relays)
        {
            StartNode(state, relay);
        }

        _progress.Done($"{_options.Relays} relays started ({state.Relays.First().Address} to {state.Relays.Last().Address})");
    }

    private void StartNode(TestnetState state, NodeRecord node)
    {
        var process = NodeProcesses.Start(NodePrograms.For(node.Role), ["run", "--config", node.ConfigFile], node.LogFile);
        _processes[node.Name] = process;
        node.ProcessId = process.Id;

        // Recorded at once, so that stop finds the process whatever happens to this run.
        state.Save(_options.StateDirectory);
    }

    private async Task WaitForAuthorities(TestnetState state, CancellationToken cancel)
    {
        var deadline = _clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        var waiting = state.Authorities.ToList();
        while (waiting.Count > 0)
        {
            CheckAlive(state);
            var listening = await Task.WhenAll(waiting.Select(a => IsListening(a, cancel))).ConfigureAwait(false);
            waiting = [.. waiting.Where((_, i) => !listening[i])];
            _progress.Show($"authorities starting ({RunOptions.Authorities - waiting.Count}/{RunOptions.Authorities} listening)");
            if (waiting.Count == 0)
            {
                break;
            }

            if (_clock.GetUtcNow() > deadline)
            {
                throw new TestnetException($"{string.Join(", ", waiting.Select(a => a.Name))} did not listen within 30 s; see {waiting[0].LogFile}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _clock, cancel).ConfigureAwait(false);
        }
    }

    internal static async Task<bool> IsListening(NodeRecord node, CancellationToken cancel)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Parse(node.Address), node.Port, cancel).ConfigureAwait(false);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private async Task<ConsensusView> WaitForConsensus(TestnetState state, CancellationToken cancel)
    {
        using var watch = new ConsensusWatch(state, _clock);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var remaining = _options.Timeout - _progress.Elapsed;
        bound.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        ConsensusView? view = null;
        try
        {
            while (true)
            {
                CheckAlive(state);
                view = await watch.FetchAsync(bound.Token).ConfigureAwait(false) ?? view;
                if (view is not null && view.Ready == watch.RelayCount)
                {
                    _progress.Done(Describe(view, watch.RelayCount));
                    return view;
                }

                _progress.Show(view is null
                    ? $"{state.Nodes.Count} nodes started; waiting for the first consensus (a vote every {_options.VotingInterval.TotalSeconds:0} s)"
                    : Describe(view, watch.RelayCount));
                await Task.Delay(s_pollInterval, _clock, bound.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new TestnetException(
                $"no consensus listed all {watch.RelayCount} relays within {_options.Timeout.TotalSeconds:0} s " +
                (view is null ? "(none was published; see the authorities' logs)." : $"(the last listed {view.Ready})."));
        }
    }

    private static string Describe(ConsensusView view, int relays) => string.Create(CultureInfo.InvariantCulture,
        $"consensus {view.ValidAfter:HH:mm:ss}Z ({view.Signatures} signatures): {view.Ready} of {relays} relays listed Running, Valid, Guard, HSDir");

    // A node that exits during the run (a port taken, a bad option) fails the run at once, with its last log lines.
    private void CheckAlive(TestnetState state)
    {
        foreach (var node in state.Nodes)
        {
            if (_processes.TryGetValue(node.Name, out var process) && process.HasExited)
            {
                var tail = File.Exists(node.LogFile) ? File.ReadLines(node.LogFile).TakeLast(5) : [];
                throw new TestnetException(
                    $"{node.Name} exited with code {process.ExitCode}; the end of {node.LogFile}:{Environment.NewLine}  " +
                    string.Join(Environment.NewLine + "  ", tail));
            }
        }
    }

    private async Task StopStarted(TestnetState state, bool succeeded)
    {
        var started = state.Nodes.Where(n => n.ProcessId > 0).ToList();
        if (started.Count == 0)
        {
            return;
        }

        var (killed, left) = await NodeProcesses.StopAsync(started, StopGrace, _clock).ConfigureAwait(false);
        var how = killed.Count == 0 ? "" : $" ({killed.Count} needed SIGKILL: {string.Join(", ", killed.Select(n => n.Name))})";
        _progress.Done(succeeded ? $"smoke run done; stopped {started.Count} nodes{how}" : $"stopped the {started.Count} nodes started{how}");
        if (left.Count > 0)
        {
            throw new TestnetException($"could not stop {string.Join(", ", left.Select(n => $"{n.Name} (pid {n.ProcessId})"))}.");
        }
    }

    private void PrintSummary(TestnetState state, ConsensusView view, UserStep users, (int Delivered, int Expected, TimeSpan Slowest, TimeSpan FirstDelivered)? exchange)
    {
        var w = _output;
        w.WriteLine();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Testnet up in {state.BootstrapSeconds:0.0} s: the consensus of {view.ValidAfter:HH:mm:ss}Z lists all {state.Relays.Count()} relays (Running, Valid, Guard, HSDir)."));
        w.WriteLine();
        w.WriteLine($"  {"node",-9} {"listens on",-17} {"pid",-8} identity");
        foreach (var node in state.Nodes)
        {
            w.WriteLine($"  {node.Name,-9} {node.Endpoint,-17} {node.ProcessId,-8} {node.Identity}");
        }

        w.WriteLine();
        w.WriteLine($"State, keys and configuration: {_options.StateDirectory}");
        w.WriteLine($"Logs: {Path.Combine(_options.StateDirectory, "logs")}/NODE.log");
        if (exchange is { } sent)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Users: {state.Users.Count()}, each sent one message to every other: {sent.Delivered}/{sent.Expected} delivered, the slowest {sent.Slowest.TotalSeconds:0.0} s after the daemons were up; the first delivered {state.FirstDeliveredSeconds:0.0} s after the start."));
            w.WriteLine();
            w.WriteLine($"  {"user",-9} {"pid",-8} hidden-id");
            foreach (var user in state.Users)
            {
                w.WriteLine($"  {user.Name,-9} {user.ProcessId,-8} {user.Identity}");
            }

            var list = state.Users.ToList();
            if (list.Count >= 2 && !_options.Smoke)
            {
                w.WriteLine();
                w.WriteLine($"Talk as {list[0].Name} to {list[1].Name} (and the other way round, swapping the names):");
                w.WriteLine("  " + users.ConnectCommand(list[0], list[1]));
                w.WriteLine("  " + users.ConnectCommand(list[1], list[0]));
            }
        }
        else
        {
            w.WriteLine("Users: none (--users 0).");
        }

        if (!_options.Smoke)
        {
            w.WriteLine("Next: testnet/run.sh status | testnet/run.sh logs relay1 | testnet/run.sh stop");
        }
    }
}
