using System.Globalization;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>CPU time and resident size of other processes, read from /proc.</summary>
internal static class ProcessFigures
{
    /// <summary>/proc reports CPU times in USER_HZ ticks, 100 per second on Linux whatever the kernel's own tick.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of the processes, in seconds (fields 14 and 15 of /proc/PID/stat).</summary>
    public static double CpuSeconds(IEnumerable<int> processIds)
    {
        double ticks = 0;
        foreach (var id in processIds)
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");

            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>VmRSS of one process, in MiB (/proc/PID/status).</summary>
    public static double ResidentMegabytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new BenchmarkException($"/proc/{processId}/status has no VmRSS line.");
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg writes them.</summary>
    public static string LoadAverage()
    {
        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        return string.Join(' ', parts.Take(3));
    }

    /// <summary><c>uname -m / cpu model / N cores</c>.</summary>
    public static string Machine()
    {
        var architecture = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86_64",
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            var other => other.ToString().ToLowerInvariant(),
        };
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{architecture} / {model ?? "unknown cpu"} / {Environment.ProcessorCount} cores";
    }
}
