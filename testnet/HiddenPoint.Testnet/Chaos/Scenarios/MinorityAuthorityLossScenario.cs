using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-06, minority authority loss: a network of five authorities (<c>--authorities</c>) loses two of them (SIGTERM,
/// chosen by the seed) for 1 minute (<c>--minutes</c> / <c>--seconds</c>) while every pair sends. The three left
/// are more than half, so consensuses go on being made and signed. Bar: every user takes a consensus made after the
/// stop, signed by 3 of 5, and its status names the two missing signers; each remaining authority's log reports
/// them (event 2008); ≥ 99 % of the messages sent meanwhile delivered and 0 lost; once the two are back, every user
/// holds a consensus signed by all five again.
/// </summary>
internal sealed class MinorityAuthorityLossScenario : IChaosScenario
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(90);

    public string Name => "cr-06";

    public string Summary => "stop 2 of 5 authorities for 1 min (--minutes): consensus still made and signed by 3, users accept it and report the missing signers; >= 99 % delivered, 0 lost";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, random) = context;
        var outage = options.Duration ?? TimeSpan.FromMinutes(1);
        var authorities = network.State.Authorities.ToList();
        var stopping = (authorities.Count - 1) / 2;
        if (stopping < 1)
        {
            throw new TestnetException($"cr-06 needs at least 3 authorities to stop a minority of them; this network has {authorities.Count}.");
        }

        traffic.Phase = "before";
        traffic.Start(traffic.AllPairs, options.Rate, cancel);
        await Task.Delay(TimeSpan.FromSeconds(15), clock, cancel).ConfigureAwait(false);

        var stopped = authorities.OrderBy(_ => random.Next()).Take(stopping).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var warningsBefore = authorities.ToDictionary(a => a.Name, CountMissingSignatureWarnings);
        foreach (var authority in stopped)
        {
            ChaosNetwork.Signal(authority, NodeProcesses.Terminate);
        }

        traffic.Phase = "outage";
        var stoppedAt = clock.GetUtcNow();
        foreach (var authority in stopped)
        {
            await network.WaitForExitAsync(authority, TimeSpan.FromSeconds(15), cancel).ConfigureAwait(false);
        }

        var names = stopped.Select(a => a.Name).ToList();
        progress.Done($"stopped {string.Join(", ", names)}: {authorities.Count - stopped.Count} of {authorities.Count} authorities left");
        await Task.Delay(outage, clock, cancel).ConfigureAwait(false);

        // What each user reports at the end of the outage: a consensus made after the stop, and who did not sign it.
        var during = new List<string>();
        var failures = new List<string>();
        foreach (var (name, user) in network.Users)
        {
            var status = await user.StatusAsync(cancel).ConfigureAwait(false);
            during.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: consensus valid-after {status.ConsensusValidAfter:HH:mm:ss}Z, signed by {status.ConsensusSigners} of {status.AuthoritiesPinned}, not by {Names(status.AuthoritiesNotSigning)}"));
            if (status.ConsensusValidAfter is not { } validAfter || validAfter <= stoppedAt)
            {
                failures.Add($"{name} holds no consensus made after the stop");
            }
            else if (status.ConsensusSigners != authorities.Count - stopped.Count || !status.AuthoritiesNotSigning.Order(StringComparer.Ordinal).SequenceEqual(names))
            {
                failures.Add($"{name} reports {status.ConsensusSigners} signers, missing {Names(status.AuthoritiesNotSigning)} (expected {authorities.Count - stopped.Count}, missing {Names(names)})");
            }
        }

        var reporting = authorities.Except(stopped)
            .Where(a => CountMissingSignatureWarnings(a) > warningsBefore[a.Name])
            .Select(a => a.Name)
            .ToList();
        if (reporting.Count != authorities.Count - stopped.Count)
        {
            failures.Add($"only {Names(reporting)} logged the missing signatures (event 2008)");
        }

        foreach (var authority in stopped)
        {
            network.Restart(authority);
        }

        traffic.Phase = "after";
        progress.Done($"{string.Join(", ", names)} started again");
        var restartedAt = clock.GetTimestamp();
        TimeSpan? complete = null;
        while (complete is null && clock.GetElapsedTime(restartedAt) < s_settle)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancel).ConfigureAwait(false);
            var all = true;
            foreach (var user in network.Users.Values)
            {
                var status = await user.StatusAsync(cancel).ConfigureAwait(false);
                all &= status.ConsensusSigners == authorities.Count;
            }

            complete = all ? clock.GetElapsedTime(restartedAt) : null;
        }

        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var outageTraffic = TrafficSummary.Of(sent, received, p => p == "outage");
        if (outageTraffic.Sent == 0 || outageTraffic.Delivered < 0.99 * outageTraffic.Sent)
        {
            failures.Add($"{outageTraffic.Delivered} of {outageTraffic.Sent} sent during the outage delivered (bar: >= 99 %)");
        }

        if (complete is null)
        {
            failures.Add($"not every user held a consensus signed by all {authorities.Count} within {s_settle.TotalSeconds:0} s of the restart");
        }

        var summary = TrafficSummary.Of(sent, received, _ => true);
        if (!summary.ExactlyOnceInOrder || !drained)
        {
            failures.Add($"{summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
        }

        List<string> figures =
        [
            string.Create(CultureInfo.InvariantCulture, $"{Names(names)} of {authorities.Count} authorities down {outage.TotalSeconds:0} s from {stoppedAt:HH:mm:ss}Z"),
            .. during,
            $"authorities that logged the missing signatures (event 2008): {Names(reporting)}",
            string.Create(CultureInfo.InvariantCulture, $"signed by all {authorities.Count} again at every user: {(complete is { } t ? TrafficSummary.Seconds(t) + " s after the restart" : "not within " + s_settle.TotalSeconds + " s")}"),
            string.Create(CultureInfo.InvariantCulture, $"during the outage: {outageTraffic.Delivered} of {outageTraffic.Sent} delivered"),
        ];
        return [new ChaosRow("CR-06 2 of 5 authorities down", summary, figures, failures)];
    }

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";

    private static int CountMissingSignatureWarnings(NodeRecord authority) =>
        File.Exists(authority.LogFile)
            ? File.ReadLines(authority.LogFile).Count(l => l.Contains("authorities' signatures; not signed by", StringComparison.Ordinal))
            : 0;
}
