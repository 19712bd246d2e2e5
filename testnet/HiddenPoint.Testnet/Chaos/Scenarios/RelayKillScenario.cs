using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-01, relay kill -9 mid-circuit: while every pair of users sends (10 messages a second each by default), a random
/// relay (with 5 relays and 2 users every relay is some circuit's guard, middle, rendezvous or introduction point) is
/// killed with SIGKILL every 30 s and started again 10 s later, for 10 minutes (<c>--minutes</c>). Bar: 0 lost, 0
/// duplicated, nothing changed or out of order, delivery p99 ≤ 30 s (<c>--p99-bar</c>; 0 reports it only).
/// </summary>
internal sealed class RelayKillScenario : IChaosScenario
{

    public string Name => "cr-01";

    public string Summary => "kill -9 a random relay every 30 s (--kill-every), restart it after 10 s (--down-for), for 10 min (--minutes); 0 lost, 0 duplicated, p99 <= 30 s";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, random) = context;
        var duration = options.Duration ?? TimeSpan.FromMinutes(10);
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        var kills = new List<(DateTimeOffset At, string Relay, bool Guard)>();
        var restarts = new List<Task>();
        var started = clock.GetTimestamp();
        var down = new HashSet<string>();
        var downLock = new Lock();

        // The first kill comes one interval in: the conversations are connected by then.
        while (clock.GetElapsedTime(started) + options.KillEvery <= duration)
        {
            await Task.Delay(options.KillEvery, clock, cancel).ConfigureAwait(false);
            List<NodeRecord> candidates;
            lock (downLock)
            {
                candidates = [.. network.State.Relays.Where(r => !down.Contains(r.Name))];
            }

            var victim = candidates[random.Next(candidates.Count)];
            var guards = await PrimaryGuardsAsync(network, cancel).ConfigureAwait(false);
            ChaosNetwork.Signal(victim, NodeProcesses.ForceKill);
            var at = clock.GetUtcNow();
            lock (downLock)
            {
                down.Add(victim.Name);
            }

            kills.Add((at, victim.Name, guards.Contains(victim.Name)));
            progress.Done(string.Create(CultureInfo.InvariantCulture,
                $"{clock.GetElapsedTime(started).TotalSeconds,5:0} s: kill -9 {victim.Name}{(guards.Contains(victim.Name) ? " (a primary guard)" : "")}; {traffic.Sent.Count} messages handed over so far"));
            restarts.Add(RestartLaterAsync(victim));
        }

        await Task.WhenAll(restarts).ConfigureAwait(false);
        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var summary = TrafficSummary.Of(sent, received, _ => true);
        var recoveries = kills.Select(k => Recovery.After(k.At, sent, received)).ToList();
        var figures = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{kills.Count} kills in {duration.TotalMinutes:0.#} min ({string.Join(", ", kills.Select(k => k.Relay + (k.Guard ? "*" : "")))}; * = a primary guard), each down {options.DownFor.TotalSeconds:0} s"),
            $"traffic: {traffic.AllPairs.Count} pairs at {options.Rate.ToString(CultureInfo.InvariantCulture)} msg/s each, {options.Size} B per message",
            "recovery (kill until every pair's first message sent after it is stored): " + Recovery.Describe(recoveries),
            "  per kill: " + string.Join(", ", kills.Select((k, i) => $"{k.Relay}{(k.Guard ? "*" : "")} {(recoveries[i] is { } r ? TrafficSummary.Seconds(r) : "-")} s")),
            $"every relay restarted and running at the end: {network.State.Relays.All(NodeProcesses.IsRunning)}",
        };
        var failures = new List<string>();
        if (!summary.ExactlyOnceInOrder)
        {
            failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order (bar: all 0)");
        }

        if (options.P99Bar is { } p99Bar && summary.P99 > p99Bar)
        {
            failures.Add($"delivery p99 {TrafficSummary.Seconds(summary.P99)} s > {p99Bar.TotalSeconds:0} s");
        }

        if (!drained)
        {
            failures.Add("not every outbox drained in time");
        }

        if (!network.State.Relays.All(NodeProcesses.IsRunning))
        {
            failures.Add("a restarted relay is not running");
        }

        return [new ChaosRow("CR-01 relay kill -9", summary, figures, failures)];

        async Task RestartLaterAsync(NodeRecord relay)
        {
            await network.WaitForExitAsync(relay, TimeSpan.FromSeconds(5), cancel).ConfigureAwait(false);
            await Task.Delay(options.DownFor, clock, cancel).ConfigureAwait(false);
            network.Restart(relay);
            lock (downLock)
            {
                down.Remove(relay.Name);
            }
        }
    }

    internal static async Task<HashSet<string>> PrimaryGuardsAsync(ChaosNetwork network, CancellationToken cancel)
    {
        var guards = new HashSet<string>();
        foreach (var user in network.Users.Values)
        {
            try
            {
                guards.UnionWith((await user.StatusAsync(cancel).ConfigureAwait(false)).PrimaryGuards);
            }
            catch (DaemonDownException)
            {
                // A user being restarted has no guards to report.
            }
        }

        return guards;
    }
}
