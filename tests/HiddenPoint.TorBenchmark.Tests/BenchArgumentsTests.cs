namespace HiddenPoint.TorBenchmark.Tests;

public class BenchArgumentsTests
{
    [Fact]
    public void Json_path_and_every_flag_are_read()
    {
        var parsed = BenchArguments.Parse(["--quick", "--json", "out.json", "--keep", "--scheduler-1ms"], out var error);

        Assert.Equal(BenchArgumentsError.None, error);
        Assert.Equal(new BenchArguments("out.json", Quick: true, Keep: true, OneMillisecondScheduler: true, MaxMinutes: 3), parsed);
    }

    [Fact]
    public void Json_alone_is_a_full_run_with_defaults()
    {
        Assert.Equal(new BenchArguments("f.json", false, false, false, 10), BenchArguments.Parse(["--json", "f.json"], out _));
    }

    [Fact]
    public void The_bound_can_be_raised_for_a_loaded_machine()
    {
        Assert.Equal(25, BenchArguments.Parse(["--json", "f.json", "--quick", "--max-minutes", "25"], out _)?.MaxMinutes);
    }

    [Theory]
    [InlineData(BenchArgumentsError.JsonMissing, new string[0])]
    [InlineData(BenchArgumentsError.JsonMissing, new[] { "--quick" })]
    [InlineData(BenchArgumentsError.JsonPathMissing, new[] { "--json" })]
    [InlineData(BenchArgumentsError.JsonPathMissing, new[] { "--json", "--quick" })]
    [InlineData(BenchArgumentsError.UnknownArgument, new[] { "--json", "f", "--fast" })]
    [InlineData(BenchArgumentsError.Repeated, new[] { "--json", "f", "--json", "g" })]
    [InlineData(BenchArgumentsError.Repeated, new[] { "--json", "f", "--keep", "--keep" })]
    [InlineData(BenchArgumentsError.MaxMinutesInvalid, new[] { "--json", "f", "--max-minutes" })]
    [InlineData(BenchArgumentsError.MaxMinutesInvalid, new[] { "--json", "f", "--max-minutes", "0" })]
    [InlineData(BenchArgumentsError.MaxMinutesInvalid, new[] { "--json", "f", "--max-minutes", "121" })]
    [InlineData(BenchArgumentsError.MaxMinutesInvalid, new[] { "--json", "f", "--max-minutes", "-3" })]
    public void Bad_command_lines_are_refused_with_their_reason(object expected, string[] args)
    {
        // The enum is internal to the benchmark, so the theory's parameter is boxed.
        Assert.Null(BenchArguments.Parse(args, out var error));
        Assert.Equal(expected, error);
    }
}
