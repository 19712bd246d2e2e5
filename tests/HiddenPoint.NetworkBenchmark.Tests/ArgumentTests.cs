using HiddenPoint.NetworkBenchmark;

namespace HiddenPoint.NetworkBenchmark.Tests;

public sealed class ArgumentTests
{
    [Fact]
    public void Run_takes_quick_and_a_json_file()
    {
        var parsed = BenchArguments.Parse(["--quick", "--json", "out.json"], out var problems);
        Assert.Empty(problems);
        Assert.Equal(BenchMode.Run, parsed.Mode);
        Assert.True(parsed.Quick);
        Assert.Equal(Path.GetFullPath("out.json"), parsed.JsonPath);
    }

    [Fact]
    public void Report_takes_two_files_and_a_plot()
    {
        var parsed = BenchArguments.Parse(["--report", "h.json", "t.json", "--plot", "p.png"], out var problems);
        Assert.Empty(problems);
        Assert.Equal(BenchMode.Report, parsed.Mode);
        Assert.Equal(("h.json", "t.json", "p.png"), (parsed.HpcJson, parsed.TorJson, parsed.PlotPath));
    }

    [Theory]
    [InlineData("--report", "h.json")]
    [InlineData("--json")]
    [InlineData("--fast")]
    [InlineData("--report", "h.json", "t.json", "--quick")]
    public void Wrong_arguments_are_refused(params string[] args)
    {
        BenchArguments.Parse(args, out var problems);
        Assert.NotEmpty(problems);
    }

    [Fact]
    public void The_host_child_gets_its_folder_and_authorities()
    {
        var parsed = BenchArguments.Parse([HostChild.Mode, "/tmp/host", "auth1,127.1.0.1:7000,AAAA"], out var problems);
        Assert.Empty(problems);
        Assert.Equal(BenchMode.HostChild, parsed.Mode);
        var authority = BenchClientOptions.Parse(parsed.ChildArguments[1]);
        Assert.Equal(("auth1", "127.1.0.1:7000", "AAAA"), (authority!.Nickname, authority.Address, authority.Identity));
    }
}
