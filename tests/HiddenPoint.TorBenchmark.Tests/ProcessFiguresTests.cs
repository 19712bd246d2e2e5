namespace HiddenPoint.TorBenchmark.Tests;

public class ProcessFiguresTests
{
    // A real /proc/PID/stat line of a tor; utime 1520 and stime 311 ticks (fields 14 and 15).
    private const string Stat = "30675 (tor) S 1 30675 30675 0 -1 4194560 52181 0 0 0 1520 311 0 0 20 0 1 0 2423071 145367040 19000 18446744073709551615 1 1 0 0 0 0 0 4096 1 0 0 0 17 1 0 0 0 0 0";

    [Fact]
    public void Cpu_ticks_are_user_plus_system_time()
    {
        Assert.True(ProcessFigures.TryReadCpuTicks(Stat, out var ticks));
        Assert.Equal(1831, ticks);
    }

    [Fact]
    public void A_command_name_with_spaces_and_parentheses_does_not_shift_the_fields()
    {
        var odd = Stat.Replace("(tor)", "(to r) (x)", StringComparison.Ordinal);

        Assert.True(ProcessFigures.TryReadCpuTicks(odd, out var ticks));
        Assert.Equal(1831, ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30675 (tor) S 1 2 3")]
    [InlineData("30675 tor S 1 30675 30675 0 -1 4194560 52181 0 0 0 1520 311")]
    public void A_stat_without_the_cpu_fields_is_refused(string stat)
    {
        Assert.False(ProcessFigures.TryReadCpuTicks(stat, out _));
    }

    [Fact]
    public void Resident_size_is_read_from_VmRSS()
    {
        const string status = "Name:\ttor\nVmPeak:\t  200000 kB\nVmRSS:\t   78336 kB\nRssAnon:\t   60000 kB\n";

        Assert.True(ProcessFigures.TryReadResidentKilobytes(status, out var kilobytes));
        Assert.Equal(78336, kilobytes);
        Assert.False(ProcessFigures.TryReadResidentKilobytes("Name:\ttor\n", out _));
        Assert.False(ProcessFigures.TryReadResidentKilobytes("VmRSS:\t 12 MB\n", out _));
    }

    [Fact]
    public void This_process_has_cpu_time_and_memory()
    {
        Assert.True(ProcessFigures.CpuSeconds(Environment.ProcessId) > 0);
        Assert.True(ProcessFigures.ResidentMegabytes(Environment.ProcessId) > 1);
    }
}
