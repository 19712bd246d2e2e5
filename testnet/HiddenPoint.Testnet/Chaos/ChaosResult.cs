using System.Globalization;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>One row of a scenario's result table: what happened to its messages, its own figures, and its bar.</summary>
/// <param name="Label">The row's name (the scenario, or the phase: "1 % loss").</param>
/// <param name="Traffic">The messages' fate.</param>
/// <param name="Figures">The scenario's own measurements, printed under the table (detection, recovery, exit codes).</param>
/// <param name="Failures">Each part of the bar the row missed; none means it passed.</param>
internal sealed record ChaosRow(string Label, TrafficSummary Traffic, IReadOnlyList<string> Figures, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>Prints the result table of a chaos run.</summary>
internal static class ChaosTable
{
    public static void Print(TextWriter output, string scenario, IReadOnlyList<ChaosRow> rows, IReadOnlyList<string> common, IReadOnlyList<string> warnings)
    {
        output.WriteLine();
        output.WriteLine($"{"row",-22} {"sent",6} {"deliv.",6} {"lost",5} {"dupl.",5} {"corr.",5} {"order",5} {"uncert.",7} {"median s",8} {"p95 s",7} {"p99 s",7} {"max s",7}  result");
        foreach (var row in rows)
        {
            var t = row.Traffic;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Label,-22} {t.Sent,6} {t.Delivered,6} {t.Lost,5} {t.Duplicated,5} {t.Corrupt,5} {t.OutOfOrder,5} {t.Uncertain,7} {TrafficSummary.Seconds(t.Median),8} {TrafficSummary.Seconds(t.P95),7} {TrafficSummary.Seconds(t.P99),7} {TrafficSummary.Seconds(t.Max),7}  {(row.Passed ? "pass" : "FAIL")}"));
        }

        foreach (var row in rows)
        {
            output.WriteLine();
            output.WriteLine($"{row.Label}:");
            foreach (var figure in row.Figures)
            {
                output.WriteLine("  " + figure);
            }

            foreach (var failure in row.Failures)
            {
                output.WriteLine("  FAILED: " + failure);
            }
        }

        output.WriteLine();
        output.WriteLine(common.Count == 0
            ? "Node logs: no unhandled exception, no \"Bug:\" line."
            : $"Node logs: {common.Count} finding(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", common.Take(20)));
        output.WriteLine(warnings.Count == 0
            ? "Warnings in node logs: none."
            : $"Warnings in node logs (node: event x count; not counted against the bar):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", warnings.Take(30)));
        output.WriteLine($"{scenario}: {(rows.All(r => r.Passed) && common.Count == 0 ? "PASS" : "FAIL")}");
    }
}

/// <summary>How long the conversations took to carry messages again after a fault.</summary>
internal static class Recovery
{
    /// <summary>
    /// For each pair, the time from <paramref name="at"/> until the receiver stored the first message its sender
    /// handed over after <paramref name="at"/>; the slowest pair's, or null when some pair has no such message.
    /// </summary>
    public static TimeSpan? After(DateTimeOffset at, IReadOnlyList<SentMessage> sent, IReadOnlyList<ReceivedMessage> received)
    {
        var stored = received.Where(r => r.N >= 0).GroupBy(r => (r.From, r.To, r.N)).ToDictionary(g => g.Key, g => g.Min(r => r.StoredAt));
        TimeSpan? slowest = TimeSpan.Zero;
        foreach (var pair in sent.Where(s => s.Certain).GroupBy(s => (s.From, s.To)))
        {
            var first = pair.Where(s => s.CreatedAt >= at).OrderBy(s => s.N).FirstOrDefault();
            if (first is null || !stored.TryGetValue((first.From, first.To, first.N), out var storedAt))
            {
                return null;
            }

            var took = storedAt - at;
            slowest = took > slowest ? took : slowest;
        }

        return slowest;
    }

    public static string Describe(IReadOnlyList<TimeSpan?> times)
    {
        var known = times.Where(t => t is not null).Select(t => t!.Value).Order().ToList();
        if (known.Count == 0)
        {
            return "none measured";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"median {TrafficSummary.Seconds(known[known.Count / 2])} s, max {TrafficSummary.Seconds(known[^1])} s over {known.Count} faults") +
            (known.Count < times.Count ? $" ({times.Count - known.Count} with no message after them)" : "");
    }
}
