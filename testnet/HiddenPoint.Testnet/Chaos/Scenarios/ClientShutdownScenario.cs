using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// CR-08, client shutdown: alice hands her daemon 50 messages for bob as fast as it takes them and gets SIGTERM at
/// once, with most of them still queued or unacknowledged; 5 s later she starts again. Bar: the daemon exits 0, and
/// after the restart all 50 are accounted for: delivered exactly once, in order.
/// </summary>
internal sealed class ClientShutdownScenario : IChaosScenario
{
    private const int Burst = 50;

    public string Name => "cr-08";

    public string Summary => "SIGTERM alice's daemon with 50 messages queued, restart after 5 s: exit 0, all 50 delivered once";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, _, progress, clock, _) = context;
        var alice = network.Users.Values.ElementAt(0).User;
        var bob = network.Users.Values.ElementAt(1).User;
        await traffic.SendBurstAsync(alice.Name, bob.Name, Burst, cancel).ConfigureAwait(false);
        var counts = (await network.Users[alice.Name].StatusAsync(cancel).ConfigureAwait(false)).Counts;
        await network.Users[alice.Name].DropAsync().ConfigureAwait(false);
        var signalled = clock.GetTimestamp();
        ChaosNetwork.Signal(alice, NodeProcesses.Terminate);
        var exit = await network.WaitForExitAsync(alice, TimeSpan.FromSeconds(30), cancel).ConfigureAwait(false);
        var exitTook = clock.GetElapsedTime(signalled);
        progress.Done(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM {alice.Name} with {counts.Queued} queued and {counts.Sent} sent but unacknowledged of {Burst}: exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {exitTook.TotalSeconds:0.00} s"));
        await Task.Delay(TimeSpan.FromSeconds(5), clock, cancel).ConfigureAwait(false);
        await network.RestartUserAsync(alice, cancel).ConfigureAwait(false);
        progress.Done($"{alice.Name} started again");

        var (sent, received, drained) = await context.FinishTrafficAsync(cancel).ConfigureAwait(false);
        var summary = TrafficSummary.Of(sent, received, _ => true);
        var figures = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"at SIGTERM: {counts.Queued} queued, {counts.Sent} sent and unacknowledged, {counts.Delivered} delivered of the {Burst}"),
            string.Create(CultureInfo.InvariantCulture, $"daemon exit code {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {exitTook.TotalSeconds:0.00} s"),
        };
        var failures = new List<string>();
        if (exit != 0)
        {
            failures.Add($"the daemon exited {exit?.ToString(CultureInfo.InvariantCulture) ?? "not at all"} (bar: 0)");
        }

        if (summary.Sent != Burst || !summary.ExactlyOnceInOrder || summary.Delivered != Burst || !drained)
        {
            failures.Add($"{summary.Delivered} of {summary.Sent} delivered; {summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
        }

        return [new ChaosRow("CR-08 client SIGTERM", summary, figures, failures)];
    }
}
