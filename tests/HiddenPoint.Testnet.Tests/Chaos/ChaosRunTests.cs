namespace HiddenPoint.Testnet.Tests.Chaos;

/// <summary>
/// Short versions of the chaos scenarios, as separate processes exactly as <c>testnet/run.sh chaos</c> runs them: a
/// NET-MIN network (3 authorities, 5 relays, alice and bob). The long runs (CR-01 for 10 minutes, every scenario) are
/// the command's, not CI's. Each command is bounded and <see cref="TestnetUnderTest"/> kills whatever the state file
/// records on the way out.
/// </summary>
public sealed class ChaosRunTests
{
    /// <summary>Bring-up (at most --timeout 120 s) + the scenario + the drain (at most 60 s) + stopping.</summary>
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Two_relay_kills_20_s_apart_lose_and_duplicate_no_message_between_alice_and_bob()
    {
        using var folder = new PrivateTempFolder("hpc-chaos-");
        using var testnet = new TestnetUnderTest(folder.Path);

        var (exitCode, output) = await testnet.RunAsync(s_bound,
            "chaos", "cr-01", "--seconds", "45", "--kill-every", "20", "--down-for", "10", "--rate", "5", "--timeout", "120", "--drain-timeout", "60", "--seed", "1", "--p99-bar", "0");

        // What arrived is judged; the delivery times on a loaded CI machine are reported, not judged.
        Assert.True(exitCode == 0, output);
        Assert.Contains("2 kills in", output, StringComparison.Ordinal);
        Assert.Matches(@"CR-01 relay kill -9 +\d+ +\d+ +0 +0 +0 +0 ", output);
        Assert.Contains("cr-01: PASS", output, StringComparison.Ordinal);
        Assert.All(testnet.State().Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after the scenario"));
    }

    [Fact]
    public async Task With_two_of_five_authorities_stopped_the_users_take_consensuses_signed_by_three_and_name_the_two_missing()
    {
        using var folder = new PrivateTempFolder("hpc-chaos-");
        using var testnet = new TestnetUnderTest(folder.Path);

        var (exitCode, output) = await testnet.RunAsync(s_bound,
            "chaos", "cr-06", "--seconds", "20", "--rate", "5", "--timeout", "120", "--drain-timeout", "60", "--seed", "3");

        Assert.True(exitCode == 0, output);
        Assert.Contains("5 authorities and 5 relays started", output, StringComparison.Ordinal);
        Assert.Matches(@"alice: consensus valid-after \S+, signed by 3 of 5, not by auth\d, auth\d", output);
        Assert.Matches(@"bob: consensus valid-after \S+, signed by 3 of 5, not by auth\d, auth\d", output);
        Assert.Contains("cr-06: PASS", output, StringComparison.Ordinal);
        Assert.All(testnet.State().Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after the scenario"));
    }

    [Fact]
    public async Task Over_50_ms_links_with_1_percent_loss_every_message_arrives_once_and_in_order()
    {
        using var folder = new PrivateTempFolder("hpc-chaos-");
        using var testnet = new TestnetUnderTest(folder.Path);

        var (exitCode, output) = await testnet.RunAsync(s_bound,
            "chaos", "net-std", "--delay-ms", "50", "--loss-percent", "1", "--messages", "5", "--rate", "5", "--timeout", "120", "--drain-timeout", "60", "--seed", "1");

        Assert.True(exitCode == 0, output);
        Assert.Contains("a delaying proxy in front of each relay: 50 ms one way, 1 % loss", output, StringComparison.Ordinal);
        Assert.Matches(@"net-std 50 ms, 1 % loss +10 +10 +0 +0 +0 +0 ", output);
        Assert.Contains("net-std: PASS", output, StringComparison.Ordinal);
        Assert.All(testnet.State().Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after the scenario"));
    }
}
