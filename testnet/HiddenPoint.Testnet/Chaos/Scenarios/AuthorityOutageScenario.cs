using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-05, directory authority outage: every authority is stopped (SIGTERM) for 2 minutes (<c>--minutes</c>), ten
/// times the testnet consensus' lifetime (3 voting intervals: 12 s), while every pair sends; then they start again.
/// Users, relays and hidden points must keep working on the consensus they hold. Bar: ≥ 99 % of the messages sent
/// during the outage delivered, 0 lost overall, no relay or user daemon exited.
/// </summary>
internal sealed class AuthorityOutageScenario : IChaosScenario
{
    public string Name => "cr-05";

    public string Summary => "stop all authorities for 2 min (--minutes), far past the consensus lifetime: users keep messaging; >= 99 % delivered, 0 lost";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, _) = context;
        var outage = options.Duration ?? TimeSpan.FromMinutes(2);
        traffic.Phase = "before";
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        await Task.Delay(TimeSpan.FromSeconds(15), clock, cancel).ConfigureAwait(false);

        var authorities = network.State.Authorities.ToList();
        foreach (var authority in authorities)
        {
            ChaosNetwork.Signal(authority, NodeProcesses.Terminate);
        }

        traffic.Phase = "outage";
        var stoppedAt = clock.GetUtcNow();
        var exits = new List<int?>();
        foreach (var authority in authorities)
        {
            exits.Add(await network.WaitForExitAsync(authority, TimeSpan.FromSeconds(15), cancel).ConfigureAwait(false));
        }

        var lifetime = TimeSpan.FromSeconds(3 * options.VotingInterval.TotalSeconds);
        progress.Done(string.Create(CultureInfo.InvariantCulture,
            $"all {authorities.Count} authorities stopped (exit {string.Join(", ", exits)}); down for {outage.TotalSeconds:0} s, the consensus lives {lifetime.TotalSeconds:0} s"));
        await Task.Delay(outage, clock, cancel).ConfigureAwait(false);
        var statusDuring = await network.Users.Values.First().StatusAsync(cancel).ConfigureAwait(false);

        foreach (var authority in authorities)
        {
            network.Restart(authority);
        }

        traffic.Phase = "after";
        progress.Done("authorities started again");
        await Task.Delay(TimeSpan.FromSeconds(20), clock, cancel).ConfigureAwait(false);
        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var nodesUp = network.State.Relays.Concat(network.State.Users).All(NodeProcesses.IsRunning);

        var rows = new List<ChaosRow>();
        foreach (var phase in new[] { "before", "outage", "after" })
        {
            var summary = TrafficSummary.Of(sent, received, p => p == phase);
            var figures = new List<string>();
            var failures = new List<string>();
            if (phase == "outage")
            {
                figures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"authorities down {outage.TotalSeconds:0} s from {stoppedAt:HH:mm:ss}Z; the consensus alice held at the end of it: valid-after {statusDuring.ConsensusValidAfter:HH:mm:ss}Z (lifetime {lifetime.TotalSeconds:0} s), {statusDuring.RelaysListed} relays"));
                figures.Add($"authorities' exit codes on SIGTERM: {string.Join(", ", exits)}; every relay and user daemon still running at the end: {nodesUp}");
                if (summary.Sent == 0 || summary.Delivered < 0.99 * summary.Sent)
                {
                    failures.Add($"{summary.Delivered} of {summary.Sent} delivered (bar: >= 99 %)");
                }

                if (!nodesUp)
                {
                    failures.Add("a relay or user daemon exited");
                }
            }

            if (!summary.ExactlyOnceInOrder || !drained)
            {
                failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
            }

            rows.Add(new ChaosRow("CR-05 " + phase, summary, figures, failures));
        }

        return rows;
    }
}
