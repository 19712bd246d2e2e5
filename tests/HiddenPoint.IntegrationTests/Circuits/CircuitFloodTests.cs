using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>The relay's per-address circuit-creation limit under a CREATE2 flood (TEST-MATRIX FL-02), end to end.</summary>
public sealed class CircuitFloodTests
{
    private const int Burst = 20;

    [Fact]
    public async Task FL02_A_create2_flood_from_one_address_is_refused_after_its_burst_while_another_address_still_builds_circuits()
    {
        // The limiter's clock stands still, so no token refills during the flood: exactly the burst is admitted.
        var limiterClock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        using var meters = new TestMeterFactory();
        var limiter = new AddressLimiter(
            Options.Create(new RelayLimitsOptions
            {
                CircuitCreationBurst = Burst,
                CircuitCreationRate = 1,
                CircuitCreationMinConnections = 3,
                CircuitDefensePeriod = TimeSpan.FromMinutes(10),
            }),
            limiterClock,
            meters);
        await using var network = await RelayNetwork.StartAsync(3, admission: i => i == 0 ? limiter : null);
        var guard = network.StatusOf(0);

        // The attacker: three links from 127.0.0.1, CREATE2 after CREATE2.
        using var attacker = new RawCircuitDriver();
        var links = new List<Link>();
        for (var i = 0; i < 3; i++)
        {
            links.Add(await attacker.ConnectAsync(guard, IPAddress.Loopback));
        }

        var accepted = 0;
        var refused = 0;
        for (var i = 0; i < 3 * Burst; i++)
        {
            var link = links[i % links.Count];
            var (pending, response, client) = await RawCircuitDriver.SendCreateAsync(link, guard);
            client.Dispose();
            if (response.Failure == CircuitCloseReason.None)
            {
                accepted++;
                link.Pool.Return(response.Created2);
                await link.AbandonAsync(pending);
            }
            else
            {
                refused++;
                Assert.Equal(CircuitCloseReason.DestroyedByPeer, response.Failure);
                Assert.Equal(DestroyReason.ResourceLimit, response.DestroyReason);
            }
        }

        Assert.Equal(Burst, accepted);
        Assert.Equal(2 * Burst, refused);

        // Another address still builds whole circuits through the same guard while the first stays refused.
        await using var honest = new Originator();
        var honestLink = await honest.ConnectAsync(guard, IPAddress.Parse("127.0.0.2"));
        for (var i = 0; i < 5; i++)
        {
            var circuit = await ClientCircuit.CreateAsync(honestLink, guard).WaitAsync(TestTimeouts.Step);
            Assert.Equal(new HopIndex(1), await circuit.ExtendAsync(network.StatusOf(1)).WaitAsync(TestTimeouts.Step));
            Assert.Equal(new HopIndex(2), await circuit.ExtendAsync(network.StatusOf(2)).WaitAsync(TestTimeouts.Step));
            await circuit.CloseAsync();
        }

        var (_, again, againClient) = await RawCircuitDriver.SendCreateAsync(links[0], guard);
        againClient.Dispose();
        Assert.Equal(DestroyReason.ResourceLimit, again.DestroyReason);

        foreach (var link in links)
        {
            await link.DisposeAsync();
        }
    }
}
