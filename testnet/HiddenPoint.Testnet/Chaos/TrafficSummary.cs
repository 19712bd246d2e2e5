using System.Globalization;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// What became of the messages of one scenario (or one phase of it): counted from what the senders' daemons took
/// (<see cref="SentMessage"/>) and what the receivers' stores hold (<see cref="ReceivedMessage"/>).
/// </summary>
internal sealed record TrafficSummary(
    int Sent,
    int Delivered,
    int Lost,
    int Duplicated,
    int Corrupt,
    int OutOfOrder,
    int Uncertain,
    IReadOnlyList<TimeSpan> DeliveryTimes)
{
    public TimeSpan Median => Percentile(0.50);

    public TimeSpan P95 => Percentile(0.95);

    public TimeSpan P99 => Percentile(0.99);

    public TimeSpan Max => DeliveryTimes.Count == 0 ? TimeSpan.Zero : DeliveryTimes[^1];

    /// <summary>Nothing lost, nothing shown twice, nothing changed, nothing out of order.</summary>
    public bool ExactlyOnceInOrder => Lost == 0 && Duplicated == 0 && Corrupt == 0 && OutOfOrder == 0;

    /// <summary>
    /// Counts the messages of <paramref name="sent"/> whose phase <paramref name="inPhase"/> accepts against
    /// <paramref name="received"/>: delivered (stored at least once, intact), lost (a certain send never stored),
    /// duplicated (stored more than once), corrupt (a stored text that is no message's exact text), out of order
    /// (stored after a later message of its pair), with the delivery time of each delivered one (the receiver's
    /// storedAt minus the sender's createdAt; both daemons run on this machine's clock).
    /// </summary>
    public static TrafficSummary Of(IReadOnlyList<SentMessage> sent, IReadOnlyList<ReceivedMessage> received, Func<string, bool> inPhase)
    {
        var mine = sent.Where(s => inPhase(s.Phase)).ToDictionary(s => (s.From, s.To, s.N));
        var stored = received.Where(r => r.N < 0 || mine.ContainsKey((r.From, r.To, r.N))).ToList();
        var corrupt = stored.Count(r => r.N < 0);
        var byMessage = stored.Where(r => r.N >= 0).GroupBy(r => (r.From, r.To, r.N)).ToDictionary(g => g.Key, g => g.ToList());
        var duplicated = byMessage.Values.Sum(list => list.Count - 1);
        var lost = mine.Values.Count(s => s.Certain && !byMessage.ContainsKey((s.From, s.To, s.N)));

        // Order as each receiver stored them (its history's order), per pair.
        var outOfOrder = 0;
        foreach (var pair in stored.Where(r => r.N >= 0).GroupBy(r => (r.From, r.To)))
        {
            var highest = 0;
            foreach (var message in pair)
            {
                if (message.N < highest)
                {
                    outOfOrder++;
                }

                highest = Math.Max(highest, message.N);
            }
        }

        var times = byMessage
            .Select(kv => (Sent: mine[kv.Key], First: kv.Value[0]))
            .Where(m => m.Sent.Certain)
            .Select(m => m.First.StoredAt - m.Sent.CreatedAt)
            .Select(t => t < TimeSpan.Zero ? TimeSpan.Zero : t)
            .Order()
            .ToList();
        return new TrafficSummary(
            mine.Values.Count(s => s.Certain), byMessage.Count, lost, duplicated, corrupt, outOfOrder, mine.Values.Count(s => !s.Certain), times);
    }

    /// <summary>The value below which <paramref name="fraction"/> of the delivery times lie (nearest rank).</summary>
    public TimeSpan Percentile(double fraction)
    {
        if (DeliveryTimes.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (int)Math.Ceiling(fraction * DeliveryTimes.Count);
        return DeliveryTimes[Math.Clamp(rank - 1, 0, DeliveryTimes.Count - 1)];
    }

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
}
