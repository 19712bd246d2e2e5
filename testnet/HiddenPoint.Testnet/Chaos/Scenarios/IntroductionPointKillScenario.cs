using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-02, an introduction point dies: while every pair sends, a relay that serves as an introduction point (its log
/// shows an introduction circuit established, event 4001) is killed and stays down. The hosts whose introduction
/// point it was build a new one and publish a new descriptor. Bar: every hidden point published with 3 introduction
/// points again, and a new descriptor stored by an HSDir, within 5 minutes (Tor's retry period); 0 lost.
/// </summary>
internal sealed class IntroductionPointKillScenario : IChaosScenario
{
    private static readonly TimeSpan s_bar = TimeSpan.FromMinutes(5);

    public string Name => "cr-02";

    public string Summary => "kill -9 an introduction point (stays down): new introduction point and descriptor <= 5 min, reachability kept, 0 lost";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, random) = context;
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        await Task.Delay(TimeSpan.FromSeconds(20), clock, cancel).ConfigureAwait(false);

        var introductionPoints = network.State.Relays.Where(r => Count(r, "Introduction circuit established") > 0).ToList();
        if (introductionPoints.Count == 0)
        {
            throw new TestnetException("no relay logged an introduction circuit (event 4001 at Debug); cannot pick an introduction point.");
        }

        var victim = introductionPoints[random.Next(introductionPoints.Count)];
        var storedBefore = network.State.Relays.Where(r => r != victim).ToDictionary(r => r.Name, r => Count(r, "Stored a hidden-point descriptor"));
        ChaosNetwork.Signal(victim, NodeProcesses.ForceKill);
        var at = clock.GetUtcNow();
        var killed = clock.GetTimestamp();
        progress.Done($"kill -9 {victim.Name}, an introduction point (of {introductionPoints.Count} relays serving as one); it stays down");

        TimeSpan? newDescriptor = null, restored = null;
        var fewest = int.MaxValue;
        while (clock.GetElapsedTime(killed) < s_bar && (newDescriptor is null || restored is null))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancel).ConfigureAwait(false);
            if (newDescriptor is null && storedBefore.Any(kv => Count(network.State.Relays.First(r => r.Name == kv.Key), "Stored a hidden-point descriptor") > kv.Value))
            {
                newDescriptor = clock.GetElapsedTime(killed);
            }

            var points = new List<int>();
            foreach (var user in network.Users.Values)
            {
                var status = await user.StatusAsync(cancel).ConfigureAwait(false);
                points.Add(status.Published ? status.IntroductionPoints : 0);
            }

            fewest = Math.Min(fewest, points.Min());
            if (restored is null && fewest < 3 && points.All(p => p >= 3))
            {
                restored = clock.GetElapsedTime(killed);
            }
        }

        progress.Done($"new descriptor stored after {Describe(newDescriptor)}; 3 introduction points everywhere again after {Describe(restored)} (fewest seen {fewest})");
        await Task.Delay(TimeSpan.FromSeconds(20), clock, cancel).ConfigureAwait(false);
        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var summary = TrafficSummary.Of(sent, received, _ => true);
        var figures = new List<string>
        {
            $"killed {victim.Name}; relays serving as introduction points before: {string.Join(", ", introductionPoints.Select(r => r.Name))}",
            $"fewest introduction points a published hidden point reported after the kill: {fewest}; all back to 3 after {Describe(restored)}",
            $"first descriptor stored by an HSDir after the kill (relays' event 4101): {Describe(newDescriptor)}",
            "reachability (kill until every pair's first message sent after it is stored): " + Recovery.Describe([Recovery.After(at, sent, received)]),
        };
        var failures = new List<string>();
        if (newDescriptor is null)
        {
            failures.Add("no new descriptor stored within 5 min");
        }

        if (fewest < 3 && restored is null)
        {
            failures.Add("introduction points not restored within 5 min");
        }

        if (!summary.ExactlyOnceInOrder || !drained)
        {
            failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
        }

        return [new ChaosRow("CR-02 intro point kill", summary, figures, failures)];
    }

    private static int Count(NodeRecord relay, string text) =>
        File.Exists(relay.LogFile) ? File.ReadLines(relay.LogFile).Count(l => l.Contains(text, StringComparison.Ordinal)) : 0;

    private static string Describe(TimeSpan? time) => time is null ? "never (within 5 min)" : TrafficSummary.Seconds(time.Value) + " s";
}
