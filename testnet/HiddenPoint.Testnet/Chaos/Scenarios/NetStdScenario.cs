using System.Globalization;

namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>
/// NET-STD latency and loss in user space: a <see cref="DelayingProxy"/> in front of every relay delays each chunk
/// by 50 ms each way (<c>--delay-ms</c>) and holds a chunk for a retransmission timeout with the loss probability;
/// at each loss level in turn (0, 1, 2 %; <c>--loss-percent 0,1,2</c>) every pair sends <c>--messages</c> messages
/// and the run waits until all are delivered. Bar: every message delivered exactly once and in order.
/// </summary>
internal sealed class NetStdScenario : IChaosScenario
{
    public string Name => "net-std";

    public string Summary => "50 ms per link (--delay-ms) at 0, 1 and 2 % loss (--loss-percent 0,1,2): delivery times, everything exactly once and in order";

    public async Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel)
    {
        var (network, traffic, options, progress, clock, _) = context;
        var rows = new List<ChaosRow>();

        // The first message of each pair opens its conversation (descriptor fetch, introduction, rendezvous): its own
        // row, at the first loss level, so that the levels' rows measure conversations already connected.
        var levels = new List<(string Label, double Percent, int Count)>
        {
            (string.Create(CultureInfo.InvariantCulture, $"first message, {options.LossPercents[0]:0.##} %"), options.LossPercents[0], 1),
        };
        levels.AddRange(options.LossPercents.Select(p => (string.Create(CultureInfo.InvariantCulture, $"{options.DelayMs} ms, {p:0.##} % loss"), p, options.MessagesPerLevel)));
        foreach (var (label, percent, count) in levels)
        {
            var impairment = new LinkImpairment(TimeSpan.FromMilliseconds(options.DelayMs), percent / 100);
            foreach (var proxy in network.Proxies)
            {
                proxy.Impairment = impairment;
            }

            traffic.Phase = label;
            progress.Show($"{label}: {count} messages per pair...");
            var started = clock.GetTimestamp();
            await traffic.SendPacedAsync(traffic.AllPairs, count, options.Rate, cancel).ConfigureAwait(false);
            var drained = await traffic.DrainAsync(options.DrainTimeout, cancel).ConfigureAwait(false);
            progress.Done(string.Create(CultureInfo.InvariantCulture, $"{label}: sent and {(drained ? "drained" : "NOT drained")} in {clock.GetElapsedTime(started).TotalSeconds:0.0} s"));
            var received = await traffic.ReadBackAsync(cancel).ConfigureAwait(false);
            var summary = TrafficSummary.Of(traffic.Sent, received, p => p == label);
            var figures = new List<string> { impairment.ToString(), $"{traffic.AllPairs.Count} pairs, {count} message(s) each at {options.Rate.ToString(CultureInfo.InvariantCulture)} msg/s, {options.Size} B" };
            var failures = new List<string>();
            if (!summary.ExactlyOnceInOrder || summary.Delivered != summary.Sent || !drained)
            {
                failures.Add($"{summary.Delivered} of {summary.Sent} delivered; {summary.Lost} lost, {summary.Duplicated} duplicated, {summary.Corrupt} changed, {summary.OutOfOrder} out of order, drained: {drained}");
            }

            rows.Add(new ChaosRow("net-std " + label, summary, figures, failures));
        }

        return rows;
    }
}
