using HiddenPoint.Testnet.Chaos;

namespace HiddenPoint.Testnet.Tests.Chaos;

public sealed class ChaosOptionsTests
{
    [Fact]
    public void A_scenario_with_no_options_gets_net_min_and_ten_messages_a_second_without_proxies()
    {
        var options = ChaosOptions.Parse(["cr-01"], out var problems);

        Assert.Empty(problems);
        Assert.Equal((5, 2, 10.0, false), (options!.Relays, options.Users, options.Rate, options.Proxies));
        Assert.Null(options.Duration);
    }

    [Fact]
    public void Net_std_puts_50_ms_proxies_in_front_of_the_relays_at_0_1_and_2_percent_loss_unless_told_otherwise()
    {
        var standard = ChaosOptions.Parse(["net-std"], out _)!;
        var chosen = ChaosOptions.Parse(["net-std", "--delay-ms", "20", "--loss-percent", "0.5"], out var problems)!;

        Assert.Equal((50, true), (standard.DelayMs, standard.Proxies));
        Assert.Equal([0, 1, 2], standard.LossPercents);
        Assert.Empty(problems);
        Assert.Equal(20, chosen.DelayMs);
        Assert.Equal([0.5], chosen.LossPercents);
    }

    [Fact]
    public void Cr_06_runs_five_authorities_unless_told_otherwise_and_the_others_three()
    {
        Assert.Equal(3, ChaosOptions.Parse(["cr-01"], out _)!.Authorities);
        Assert.Equal(5, ChaosOptions.Parse(["cr-06"], out _)!.Authorities);
        var seven = ChaosOptions.Parse(["cr-06", "--authorities", "7"], out var problems)!;

        Assert.Empty(problems);
        Assert.Equal(7, seven.Authorities);
    }

    [Theory]
    [InlineData(new[] { "cr-06", "--authorities", "2" }, "--authorities: '2' is not a whole number from 3 to 9")]
    [InlineData(new[] { "cr-06", "--authorities", "9", "--relays", "251" }, "do not fit")]
    [InlineData(new[] { "cr-99" }, "is not a scenario")]
    [InlineData(new string[0], "needs a scenario")]
    [InlineData(new[] { "cr-01", "--minutes", "0" }, "--minutes: '0'")]
    [InlineData(new[] { "cr-01", "--loss-percent", "1,x" }, "--loss-percent: 'x'")]
    [InlineData(new[] { "cr-01", "--frobnicate", "1" }, "'--frobnicate' is not an option")]
    [InlineData(new[] { "cr-01", "--rate" }, "--rate: needs a value")]
    public void A_bad_argument_is_named(string[] args, string problem)
    {
        ChaosOptions.Parse(args, out var problems);

        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
    }
}
