using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-03, hidden-point restart: while every pair sends, bob's daemon (his hidden point) gets SIGKILL and is started
/// again 5 s later with the same identity. Bar: published and reachable again (a message alice sent after the
/// restart delivered) ≤ 60 s after the restart, no HSDir refused a descriptor (relays' event 4102), 0 lost,
/// 0 duplicated.
/// </summary>
internal sealed class HiddenPointRestartScenario : IChaosScenario
{
    private static readonly TimeSpan s_reachableBar = TimeSpan.FromSeconds(60);

    public string Name => "cr-03";

    public string Summary => "SIGKILL bob's daemon (his hidden point), restart after 5 s: reachable again <= 60 s, 0 descriptor refusals, 0 lost";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, _) = context;
        var bob = network.Users.Values.ElementAt(1).User;
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        await Task.Delay(TimeSpan.FromSeconds(20), clock, cancel).ConfigureAwait(false);

        await network.Users[bob.Name].DropAsync().ConfigureAwait(false);
        ChaosNetwork.Signal(bob, NodeProcesses.ForceKill);
        var killedAt = clock.GetUtcNow();
        var exit = await network.WaitForExitAsync(bob, TimeSpan.FromSeconds(10), cancel).ConfigureAwait(false);
        progress.Done($"SIGKILL {bob.Name}'s daemon (exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none yet"}); starting it again in 5 s");
        await Task.Delay(TimeSpan.FromSeconds(5), clock, cancel).ConfigureAwait(false);

        var restartedAt = clock.GetUtcNow();
        await network.RestartUserAsync(bob, cancel).ConfigureAwait(false);
        var answering = clock.GetUtcNow() - restartedAt;
        var published = await network.WaitForPublishedAsync([bob.Name], s_reachableBar, cancel).ConfigureAwait(false);
        progress.Done(published is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"{bob.Name} answers {answering.TotalSeconds:0.0} s after the restart, published {(answering + p).TotalSeconds:0.0} s after it")
            : $"{bob.Name} not published within {s_reachableBar.TotalSeconds:0} s of answering");
        await Task.Delay(TimeSpan.FromSeconds(30), clock, cancel).ConfigureAwait(false);

        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var summary = TrafficSummary.Of(sent, received, _ => true);
        var toBob = sent.Where(s => s.To == bob.Name).ToList();
        var reachable = Recovery.After(restartedAt, toBob, received);
        var refusals = NodeLogCheck.DescriptorRefusals(network.State);
        var figures = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{bob.Name} killed (exit {exit}), down {(restartedAt - killedAt).TotalSeconds:0.0} s; answering its API {answering.TotalSeconds:0.0} s after the restart; published {(published is null ? "never" : (answering + published.Value).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s")} after it"),
            "reachable again (restart until the first message sent to it afterwards is stored): " + (reachable is null ? "never" : TrafficSummary.Seconds(reachable.Value) + " s"),
            $"descriptor uploads refused by HSDirs (relays' event 4102, whole run): {refusals}",
            $"sends skipped while {bob.Name}'s daemon was down: {traffic.SkippedWhileDown}",
        };
        var failures = new List<string>();
        if (reachable is null || reachable > s_reachableBar)
        {
            failures.Add($"not reachable within {s_reachableBar.TotalSeconds:0} s of the restart");
        }

        if (refusals > 0)
        {
            failures.Add($"{refusals} descriptor upload(s) refused (bar: 0)");
        }

        if (!summary.ExactlyOnceInOrder || !drained)
        {
            failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
        }

        return [new ChaosRow("CR-03 hidden point kill", summary, figures, failures)];
    }
}
