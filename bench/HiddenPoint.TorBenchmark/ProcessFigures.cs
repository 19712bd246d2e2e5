using System.Globalization;

namespace HiddenPoint.TorBenchmark;

/// <summary>Reads a process's CPU time and resident size from Linux's /proc (proc(5)).</summary>
internal static class ProcessFigures
{
    /// <summary>
    /// The unit of utime and stime in /proc/PID/stat: USER_HZ, which Linux fixes at 100 on every architecture the
    /// benchmark runs on (sysconf(_SC_CLK_TCK)), independent of the kernel's own tick.
    /// </summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>
    /// utime + stime in clock ticks from the text of /proc/PID/stat (fields 14 and 15). The second field, the command
    /// name, is in parentheses and may hold spaces and parentheses itself, so the fields are counted after the last ')'.
    /// </summary>
    public static bool TryReadCpuTicks(string stat, out long ticks)
    {
        ArgumentNullException.ThrowIfNull(stat);
        ticks = 0;
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return false;
        }

        // After ')': field 3 (state) is the first word, so utime (14) and stime (15) are the 12th and 13th words.
        var words = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 13
            || !long.TryParse(words[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(words[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return false;
        }

        ticks = user + system;
        return true;
    }

    /// <summary>VmRSS in kB (KiB) from the text of /proc/PID/status (a line <c>VmRSS:    76543 kB</c>).</summary>
    public static bool TryReadResidentKilobytes(string status, out long kilobytes)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var words = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 2 && words[1] == "kB" && long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out kilobytes))
            {
                return true;
            }

            break;
        }

        kilobytes = 0;
        return false;
    }

    /// <summary>The CPU seconds (user + system) process <paramref name="pid"/> has used so far.</summary>
    /// <exception cref="TorBenchmarkException">The process is gone or its stat file is not readable.</exception>
    public static double CpuSeconds(int pid)
    {
        var stat = ReadProcFile(pid, "stat");
        return TryReadCpuTicks(stat, out var ticks)
            ? ticks / ClockTicksPerSecond
            : throw new TorBenchmarkException($"/proc/{pid}/stat has no utime and stime.");
    }

    /// <summary>The resident size of process <paramref name="pid"/> in MB (MiB, VmRSS / 1024).</summary>
    /// <exception cref="TorBenchmarkException">The process is gone or its status file has no VmRSS.</exception>
    public static double ResidentMegabytes(int pid)
    {
        var status = ReadProcFile(pid, "status");
        return TryReadResidentKilobytes(status, out var kilobytes)
            ? kilobytes / 1024.0
            : throw new TorBenchmarkException($"/proc/{pid}/status has no VmRSS.");
    }

    private static string ReadProcFile(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/{name}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TorBenchmarkException($"Cannot read /proc/{pid}/{name}: is the tor still running?", e);
        }
    }
}
