namespace HiddenPoint.Testnet.Tests;

public sealed class RunOptionsTests
{
    [Fact]
    public void Defaults_are_three_authorities_eight_relays_two_users_and_a_four_second_vote()
    {
        var options = RunOptions.Parse([], out var problems);

        Assert.Empty(problems);
        Assert.Equal(8, options.Relays);
        Assert.Equal(2, options.Users);
        Assert.Equal(TimeSpan.FromSeconds(4), options.VotingInterval);
        Assert.False(options.Smoke);
    }

    [Fact]
    public void Options_are_read_with_their_values()
    {
        var options = RunOptions.Parse(["--relays", "40", "--timeout", "90", "--voting-interval", "6", "--smoke"], out var problems);

        Assert.Empty(problems);
        Assert.Equal(40, options.Relays);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(6), options.VotingInterval);
        Assert.True(options.Smoke);
    }

    [Theory]
    [InlineData("--relays", "2", "--relays: '2' is not a whole number from 3 to 251.")]
    [InlineData("--relays", "252", "--relays: '252' is not a whole number from 3 to 251.")]
    [InlineData("--relays", "-1", "--relays: '-1' is not a whole number from 3 to 251.")]
    [InlineData("--voting-interval", "1", "--voting-interval (seconds): '1' is not a whole number from 2 to 600.")]
    [InlineData("--bogus", "1", "'--bogus' is not an option of run.")]
    public void A_bad_option_is_named_in_the_problem(string option, string value, string problem)
    {
        RunOptions.Parse([option, value], out var problems);

        Assert.Contains(problem, problems);
    }

    [Fact]
    public void An_option_without_its_value_is_a_problem()
    {
        RunOptions.Parse(["--relays"], out var problems);

        Assert.Equal(["--relays: needs a value."], problems);
    }
}
