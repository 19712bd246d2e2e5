namespace HiddenPoint.TorBenchmark.Tests;

public class TorrcTests
{
    private static readonly DirectoryAuthorityEntry[] s_authorities =
    [
        new("auth0", 5000, 7000, new string('A', 40), new string('B', 40)),
        new("auth1", 5001, 7001, new string('C', 40), new string('D', 40)),
    ];

    private static TorrcSettings Settings(bool oneMillisecond = false) => new(s_authorities, 4242, oneMillisecond, new OnionServiceTargets(17007, 17009));

    private static string[] Lines(TorNode node, bool oneMillisecond = false) => Torrc.For(node, Settings(oneMillisecond)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Authority_line_names_both_identities_and_both_ports()
    {
        Assert.Equal(
            $"DirAuthority auth0 orport=5000 no-v2 v3ident={new string('A', 40)} 127.0.0.1:7000 {new string('B', 40)}",
            s_authorities[0].ToTorrcLine());
    }

    [Fact]
    public void Every_tor_is_a_test_network_tor_that_knows_the_authorities_and_exits_with_this_program()
    {
        foreach (var role in Enum.GetValues<TorRole>())
        {
            var lines = Lines(new TorNode("n", role, "/tmp/n", 5005, 7005, 9051, 9050));

            Assert.Equal("TestingTorNetwork 1", lines[0]);
            Assert.Contains(s_authorities[0].ToTorrcLine(), lines);
            Assert.Contains(s_authorities[1].ToTorrcLine(), lines);
            Assert.Contains("__OwningControllerProcess 4242", lines);
            Assert.Contains("DataDirectory /tmp/n", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("KISTSchedRunInterval", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Authority_relays_on_its_ports_and_votes_on_the_short_schedule()
    {
        var lines = Lines(new TorNode("auth0", TorRole.Authority, "/tmp/a", 5000, 7000, 0, 0));

        Assert.Contains("ORPort 127.0.0.1:5000", lines);
        Assert.Contains("DirPort 127.0.0.1:7000", lines);
        Assert.Contains("Address 127.0.0.1", lines);
        Assert.Contains("SocksPort 0", lines);
        Assert.Contains("V3AuthoritativeDirectory 1", lines);
        Assert.Contains("V3AuthVotingInterval 10", lines);
        Assert.Contains("TestingV3AuthInitialVotingInterval 10", lines);
    }

    [Fact]
    public void Relay_has_an_ORPort_and_no_directory_or_client_port()
    {
        var lines = Lines(new TorNode("relay0", TorRole.Relay, "/tmp/r", 5003, 0, 0, 0));

        Assert.Contains("ORPort 127.0.0.1:5003", lines);
        Assert.Contains("SocksPort 0", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("DirPort", StringComparison.Ordinal) || l.StartsWith("ControlPort", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("AuthoritativeDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public void Onion_service_maps_port_7_to_the_echo_server_and_port_9_to_the_sink()
    {
        var lines = Lines(new TorNode("service", TorRole.OnionService, "/tmp/s", 0, 0, 9051, 0));

        Assert.Contains("HiddenServiceDir /tmp/s/hs", lines);
        Assert.Contains("HiddenServicePort 7 127.0.0.1:17007", lines);
        Assert.Contains("HiddenServicePort 9 127.0.0.1:17009", lines);
        Assert.Contains("ControlPort 127.0.0.1:9051", lines);
        Assert.Contains("SocksPort 0", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("ORPort", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_has_a_SocksPort_and_a_ControlPort_and_no_ORPort()
    {
        var lines = Lines(new TorNode("client", TorRole.Client, "/tmp/c", 0, 0, 9051, 9050));

        Assert.Contains("SocksPort 127.0.0.1:9050", lines);
        Assert.Contains("ControlPort 127.0.0.1:9051", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("ORPort", StringComparison.Ordinal));
    }

    [Fact]
    public void One_millisecond_variant_sets_the_KIST_interval_and_nothing_else_changes()
    {
        var node = new TorNode("relay0", TorRole.Relay, "/tmp/r", 5003, 0, 0, 0);
        var plain = Lines(node);
        var fast = Lines(node, oneMillisecond: true);

        Assert.Equal(["KISTSchedRunInterval 1"], fast.Except(plain));
        Assert.Empty(plain.Except(fast));
    }
}
