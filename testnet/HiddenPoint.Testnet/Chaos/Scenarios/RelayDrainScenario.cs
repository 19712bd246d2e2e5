using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-07, graceful relay shutdown: while every pair sends, alice's first primary guard (a relay certain to carry
/// circuits) gets SIGTERM. Bar: it exits 0 within its drain window (testnet ShutdownWaitLength 2 s) + 2 s; started
/// again it listens within 5 s; the clients rebuild with 0 lost and 0 duplicated.
/// </summary>
internal sealed class RelayDrainScenario : IChaosScenario
{
    private static readonly TimeSpan s_exitBar = TimeSpan.FromSeconds(2 + 2);
    private static readonly TimeSpan s_restartBar = TimeSpan.FromSeconds(5);

    public string Name => "cr-07";

    public string Summary => "SIGTERM a relay carrying circuits (alice's primary guard): exit 0 within 2 s + 2 s, clients rebuild, 0 lost";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, _) = context;
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        await Task.Delay(TimeSpan.FromSeconds(20), clock, cancel).ConfigureAwait(false);

        var status = await network.Users.Values.First().StatusAsync(cancel).ConfigureAwait(false);
        var relay = network.State.Relays.FirstOrDefault(r => status.PrimaryGuards.Contains(r.Name)) ?? network.State.Relays.First();
        var signalled = clock.GetTimestamp();
        ChaosNetwork.Signal(relay, NodeProcesses.Terminate);
        var at = clock.GetUtcNow();
        var exit = await network.WaitForExitAsync(relay, TimeSpan.FromSeconds(30), cancel).ConfigureAwait(false);
        var exitTook = clock.GetElapsedTime(signalled);
        progress.Done(string.Create(CultureInfo.InvariantCulture, $"SIGTERM {relay.Name} (alice's primary guard): exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {exitTook.TotalSeconds:0.00} s"));

        var restarting = clock.GetTimestamp();
        network.Restart(relay);
        TimeSpan? listening = null;
        while (clock.GetElapsedTime(restarting) < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(relay.LogFile) && File.ReadLines(relay.LogFile).Count(l => l.Contains("HiddenPoint.Relay[1] Relay ", StringComparison.Ordinal)) >= 2)
            {
                listening = clock.GetElapsedTime(restarting);
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, cancel).ConfigureAwait(false);
        }

        progress.Done($"{relay.Name} started again, listening after {(listening is null ? "more than 30" : TrafficSummary.Seconds(listening.Value))} s");
        await Task.Delay(TimeSpan.FromSeconds(30), clock, cancel).ConfigureAwait(false);
        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var summary = TrafficSummary.Of(sent, received, _ => true);
        var figures = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{relay.Name} exit code {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} {exitTook.TotalSeconds:0.00} s after SIGTERM (bar: 0 within {s_exitBar.TotalSeconds:0} s)"),
            $"restarted with the same identity, listening after {(listening is null ? "> 30" : TrafficSummary.Seconds(listening.Value))} s (bar: {s_restartBar.TotalSeconds:0} s)",
            "recovery (SIGTERM until every pair's first message sent after it is stored): " + Recovery.Describe([Recovery.After(at, sent, received)]),
        };
        var failures = new List<string>();
        if (exit != 0 || exitTook > s_exitBar)
        {
            failures.Add($"exit {exit} after {TrafficSummary.Seconds(exitTook)} s");
        }

        if (listening is null || listening > s_restartBar)
        {
            failures.Add("not listening again within 5 s of the restart");
        }

        if (!summary.ExactlyOnceInOrder || !drained)
        {
            failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
        }

        return [new ChaosRow("CR-07 relay SIGTERM", summary, figures, failures)];
    }
}
