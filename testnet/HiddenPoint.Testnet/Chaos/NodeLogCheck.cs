namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// The common pass conditions a chaos run checks in every node's log (docs: TEST-MATRIX §4.0): no unhandled
/// exception and no line marked as an internal bug ("Bug:"). Each finding names the log and the line.
/// </summary>
internal static class NodeLogCheck
{
    private static readonly string[] s_markers = ["Unhandled exception", "Bug:", "crit: "];

    public static List<string> Findings(TestnetState state)
    {
        var findings = new List<string>();
        foreach (var node in state.Nodes.Where(n => File.Exists(n.LogFile)))
        {
            foreach (var line in File.ReadLines(node.LogFile))
            {
                if (s_markers.Any(m => line.Contains(m, StringComparison.Ordinal)))
                {
                    findings.Add($"{node.Name}: {line.Trim()}");
                }
            }
        }

        return findings;
    }

    /// <summary>
    /// The warnings of every node's log, counted by node and event (<c>warn: Category[id]</c>): printed with the
    /// table, not a failure (TEST-MATRIX wants an allow-list; faults cause some by design, e.g. a guard unreachable).
    /// </summary>
    public static List<string> Warnings(TestnetState state)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in state.Nodes.Where(n => File.Exists(n.LogFile)))
        {
            foreach (var line in File.ReadLines(node.LogFile))
            {
                var at = line.IndexOf(" warn: ", StringComparison.Ordinal);
                if (at < 0)
                {
                    continue;
                }

                var end = line.IndexOf(']', at);
                var key = $"{node.Name}: {(end > at ? line[(at + 7)..(end + 1)] : line[(at + 7)..])}";
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return [.. counts.Select(kv => $"{kv.Key} x{kv.Value}")];
    }

    /// <summary>Lines of the relays' logs that say an HSDir refused a hidden-point descriptor (event 4102).</summary>
    public static int DescriptorRefusals(TestnetState state) => state.Relays
        .Where(r => File.Exists(r.LogFile))
        .Sum(r => File.ReadLines(r.LogFile).Count(l => l.Contains("Refused a hidden-point descriptor", StringComparison.Ordinal)));
}
