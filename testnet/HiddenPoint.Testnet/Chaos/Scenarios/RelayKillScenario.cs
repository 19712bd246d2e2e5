using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-01, relay kill -9 mid-circuit: while every pair of users sends (10 messages a second each by default), a random
/// relay (with 5 relays and 2 users every relay is some circuit's guard, middle, rendezvous or introduction point) is
/// killed with SIGKILL every 30 s and started again 10 s later, for 10 minutes (<c>--minutes</c>). Bar: 0 lost, 0
/// duplicated, nothing changed or out of order; and, unless <c>--p99-bar 0</c> asks to report times only: delivery
/// p99 ≤ 30 s, detection ≤ 10 s (kill until a daemon announces a conversation no longer connected), rebuild p95 ≤ 5 s
/// (from then until it announces it connected again), read from the daemons' own events.
/// </summary>
internal sealed class RelayKillScenario : IChaosScenario
{
    private static readonly TimeSpan s_detectionBar = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_rebuildBar = TimeSpan.FromSeconds(5);

    public string Name => "cr-01";

    public string Summary => "kill -9 a random relay every 30 s (--kill-every), restart it after 10 s (--down-for), for 10 min (--minutes); 0 lost, 0 duplicated, p99 <= 30 s";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, random) = context;
        var duration = options.Duration ?? TimeSpan.FromMinutes(10);
        await using var watch = await ConversationWatch.StartAsync(network.Users.Select(u => (u.Key, u.Value.DataDirectory)), clock, cancel).ConfigureAwait(false);
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
        var transitions = watch.Transitions;
        var outages = kills.Select((k, i) => ConnectionOutage.After(k.At, i + 1 < kills.Count ? kills[i + 1].At : DateTimeOffset.MaxValue, transitions)).ToList();
        var detections = outages.SelectMany(o => o).Select(o => o.Detection).Order().ToList();
        var rebuilds = outages.SelectMany(o => o).Select(o => o.Rebuild).ToList();
        var rebuilt = rebuilds.Where(r => r is not null).Select(r => r!.Value).Order().ToList();
        var detectionMax = detections.Count > 0 ? detections[^1] : (TimeSpan?)null;
        var rebuildP95 = rebuilt.Count > 0 ? rebuilt[Math.Min(rebuilt.Count - 1, (int)Math.Ceiling(0.95 * rebuilt.Count) - 1)] : (TimeSpan?)null;
        var figures = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{kills.Count} kills in {duration.TotalMinutes:0.#} min ({string.Join(", ", kills.Select(k => k.Relay + (k.Guard ? "*" : "")))}; * = a primary guard), each down {options.DownFor.TotalSeconds:0} s"),
            $"traffic: {traffic.AllPairs.Count} pairs at {options.Rate.ToString(CultureInfo.InvariantCulture)} msg/s each, {options.Size} B per message",
            "recovery (kill until every pair's first message sent after it is stored): " + Recovery.Describe(recoveries),
            "  per kill: " + string.Join(", ", kills.Select((k, i) => $"{k.Relay}{(k.Guard ? "*" : "")} {(recoveries[i] is { } r ? TrafficSummary.Seconds(r) : "-")} s")),
            string.Create(CultureInfo.InvariantCulture,
                $"conversation ends that lost their connection: {detections.Count} on {outages.Count(o => o.Count > 0)} of {kills.Count} kills (the others were on no conversation's circuits)"),
            "detection (kill until the daemon announced the conversation no longer connected): " +
                (detectionMax is { } d ? $"median {TrafficSummary.Seconds(detections[detections.Count / 2])} s, max {TrafficSummary.Seconds(d)} s" : "none measured"),
            "rebuild (from then until connected again): " +
                (rebuildP95 is { } p ? $"median {TrafficSummary.Seconds(rebuilt[rebuilt.Count / 2])} s, p95 {TrafficSummary.Seconds(p)} s, max {TrafficSummary.Seconds(rebuilt[^1])} s" : "none measured") +
                (rebuilt.Count < rebuilds.Count ? $"; {rebuilds.Count - rebuilt.Count} never connected again" : ""),
            "  per kill (detection / rebuild, s): " + string.Join(", ", kills.Select((k, i) => $"{k.Relay} " +
                (outages[i].Count == 0 ? "-" : string.Join(" ", outages[i].Select(o => $"{TrafficSummary.Seconds(o.Detection)}/{(o.Rebuild is { } r ? TrafficSummary.Seconds(r) : "never")}"))))),
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

        // Detection and rebuild are times too: judged with the p99, reported only when the times are not judged.
        if (options.P99Bar is not null && detectionMax > s_detectionBar)
        {
            failures.Add($"detection max {TrafficSummary.Seconds(detectionMax.Value)} s > {s_detectionBar.TotalSeconds:0} s");
        }

        if (options.P99Bar is not null && (rebuildP95 > s_rebuildBar || rebuilt.Count < rebuilds.Count))
        {
            failures.Add($"rebuild p95 {(rebuildP95 is { } p95 ? TrafficSummary.Seconds(p95) : "-")} s (bar {s_rebuildBar.TotalSeconds:0} s), {rebuilds.Count - rebuilt.Count} never connected again");
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
