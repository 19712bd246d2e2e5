using System.Net;

namespace HiddenPoint.Testnet.Tests;

public sealed class NodePlanTests
{
    [Fact]
    public void Every_node_has_its_own_slash_16_and_the_authorities_come_first()
    {
        var plan = NodePlan.Plan(40, (_, _) => true);

        Assert.Equal(43, plan.Count);
        Assert.Equal(["auth1", "auth2", "auth3"], plan.Take(3).Select(n => n.Name));
        Assert.All(plan.Take(3), n => Assert.Equal(NodeRole.Authority, n.Role));
        Assert.All(plan.Skip(3), n => Assert.Equal(NodeRole.Relay, n.Role));
        Assert.Equal("relay40", plan[^1].Name);
        Assert.Equal("127.43.0.1", plan[^1].Address);
        Assert.Equal(43, plan.Select(n => string.Join('.', n.Address.Split('.').Take(2))).Distinct().Count());
        Assert.All(plan, n => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(n.Address))));
    }

    [Fact]
    public void A_port_taken_on_a_nodes_address_moves_that_node_to_the_next_free_port()
    {
        var taken = new HashSet<(string, int)> { ("127.2.0.1", 7000), ("127.2.0.1", 7001), ("127.4.0.1", 9001) };

        var plan = NodePlan.Plan(3, (address, port) => !taken.Contains((address.ToString(), port)));

        Assert.Equal(7000, plan[0].Port);
        Assert.Equal(7002, plan[1].Port);
        Assert.Equal(9002, plan[3].Port);
        Assert.Equal(9001, plan[4].Port);
    }

    [Fact]
    public void Five_authorities_take_the_first_five_addresses_and_the_relays_follow()
    {
        var plan = NodePlan.Plan(5, (_, _) => true, authorities: 5);

        Assert.Equal(["auth1", "auth2", "auth3", "auth4", "auth5", "relay1", "relay2", "relay3", "relay4", "relay5"], plan.Select(n => n.Name));
        Assert.Equal("127.6.0.1", plan[5].Address);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePlan.Plan(250, (_, _) => true, authorities: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePlan.Plan(5, (_, _) => true, authorities: RunOptions.MaxAuthorities + 1));
    }

    [Fact]
    public void The_largest_testnet_uses_every_address_up_to_127_254_0_1()
    {
        var plan = NodePlan.Plan(RunOptions.MaxRelays, (_, _) => true);

        Assert.Equal("127.254.0.1", plan[^1].Address);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePlan.Plan(RunOptions.MaxRelays + 1, (_, _) => true));
    }
}
