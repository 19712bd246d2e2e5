using System.Globalization;

namespace HiddenPoint.TorBenchmark;

/// <summary>What the figures were measured on: host, CPU model, cores, tor's version and the load average at the start.</summary>
internal static class MachineDescription
{
    public static string Describe()
    {
        var model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.MachineName}, {model}, {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg), or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            var words = File.ReadAllText("/proc/loadavg").Split(' ');
            return words.Length >= 3 ? $"{words[0]} {words[1]} {words[2]}" : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
