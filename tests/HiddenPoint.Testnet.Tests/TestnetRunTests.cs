using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testnet.Tests;

/// <summary>
/// The testnet as separate processes: hpc-testnet starts hpc-directory and hpc-relay exactly as testnet/run.sh does.
/// Each test bounds every command (<see cref="TestnetUnderTest.CommandBound"/>) and kills what it started on the way out.
/// </summary>
public sealed class TestnetRunTests
{
    private const int Relays = 5;

    // Warnings of a network coming up on a loaded machine: a relay or user that asks before the first consensus, or
    // while an authority is still busy (relay 14, 23, 3008; client 5005, 5109; consensus 1203), an authority's first
    // rounds before enough peers voted (2002, 2003), and a host whose first uploads met HSDirs not yet listing
    // themselves (5304).
    private static readonly HashSet<int> StartupWarnings = [14, 23, 3008, 2002, 2003, 1203, 5005, 5109, 5304];

    [Fact]
    public async Task A_smoke_run_lists_every_relay_and_alice_and_bob_each_deliver_a_message_to_the_other_then_every_process_stops()
    {
        using var folder = new PrivateTempFolder("hpc-testnet-");
        using var testnet = new TestnetUnderTest(folder.Path);

        var (exitCode, output) = await testnet.RunAsync("run", "--smoke", "--relays", $"{Relays}", "--timeout", "100");

        Assert.True(exitCode == 0, output + testnet.LogTails());
        var state = testnet.State();
        Assert.Equal(3 + Relays + 2, state.Nodes.Count);
        Assert.All(state.Nodes, n => Assert.True(n.ProcessId > 0, n.Name + " was never started"));
        Assert.All(state.Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after the smoke run"));
        AssertListsEveryRelay(TestnetUnderTest.NewestPublishedConsensus(state), state);

        // alice's message reached bob and bob's reached alice: each `hpc-client send` exits 0 only once delivered.
        Assert.Contains("2/2 delivered", output, StringComparison.Ordinal);
        Assert.NotNull(state.FirstDeliveredSeconds);

        // TEST-MATRIX LG-01: no node, the users' own daemons included, logged a hidden-id or a message's text.
        var secrets = state.Users.Select(u => u.Identity[..u.Identity.IndexOf('.', StringComparison.Ordinal)])
            .Concat(state.Users.Select(u => "this is " + u.Name)).ToList();
        Assert.Equal(4, secrets.Count);
        var leaks = testnet.LogLinesContaining(secrets);
        Assert.True(leaks.Count == 0, "sensitive lines in the logs:\n" + string.Join('\n', leaks.Take(10)));

        // TEST-MATRIX §4.0: no Error, no bug, and only the warnings a network that is still coming up may give.
        var problems = testnet.LogProblems(StartupWarnings);
        Assert.True(problems.Count == 0, "log lines that fail the run:\n" + string.Join('\n', problems.Take(10)));
    }


    [Fact]
    public async Task A_running_testnet_refuses_a_second_run_reports_its_status_and_stops()
    {
        using var folder = new PrivateTempFolder("hpc-testnet-");
        using var testnet = new TestnetUnderTest(folder.Path);

        var run = await testnet.RunAsync("run", "--relays", "3", "--users", "0", "--timeout", "90");
        Assert.True(run.ExitCode == 0, run.Output + testnet.LogTails());
        var state = testnet.State();
        Assert.All(state.Nodes, n => Assert.True(NodeProcesses.IsRunning(n), n.Name + " is not running after run"));

        var second = await testnet.RunAsync("run", "--relays", "3", "--users", "0");
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("already running", second.Output, StringComparison.Ordinal);
        Assert.Equal(state.Nodes.Select(n => n.ProcessId), testnet.State().Nodes.Select(n => n.ProcessId));

        var status = await testnet.RunAsync("status");
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("6 of 6 nodes up", status.Output, StringComparison.Ordinal);

        var stop = await testnet.RunAsync("stop");
        Assert.True(stop.ExitCode == 0, stop.Output);
        Assert.All(state.Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after stop"));
    }

    [Fact]
    public async Task A_run_whose_relay_dies_fails_naming_it_and_stops_every_other_process()
    {
        using var folder = new PrivateTempFolder("hpc-testnet-");
        using var testnet = new TestnetUnderTest(folder.Path);
        using var run = testnet.Start("run", "--relays", "3", "--users", "0", "--timeout", "90");

        // Killed as soon as it is recorded: at least one voting interval before any consensus can list it.
        var started = await testnet.WaitForStartedAsync(6);
        var victim = started.Relays.First();
        using (var process = System.Diagnostics.Process.GetProcessById(victim.ProcessId))
        {
            process.Kill();
        }

        var (exitCode, output) = await run.WaitAsync();

        Assert.True(exitCode == 1, output);
        Assert.Contains($"{victim.Name} exited", output, StringComparison.Ordinal);
        Assert.All(started.Nodes, n => Assert.False(NodeProcesses.IsRunning(n), n.Name + " still runs after the failed run"));
    }

    private static void AssertListsEveryRelay(Consensus consensus, TestnetState state)
    {
        foreach (var relay in state.Relays)
        {
            Assert.True(consensus.TryGetRelay(new RelayId(TestnetUnderTest.Key(relay.Identity)), out var entry), relay.Name + " is not listed");
            Assert.Equal(ConsensusWatch.ClientFlags, entry.Flags & ConsensusWatch.ClientFlags);
            Assert.Equal(relay.Endpoint, entry.Addresses[0].ToString());
        }
    }
}
