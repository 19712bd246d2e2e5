using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// TEST-MATRIX FL-03: relays the consensus lists extend circuits through a relay with a strict circuit-creation limit
/// far beyond that limit and are never refused, while a client from the very same address is refused after its burst:
/// the exemption goes by the link's proven key being listed, not by the address.
/// </summary>
public sealed class ListedRelayExemptionTests
{
    private const int Burst = 5;
    private const int CircuitsPerRelay = 30;

    [Fact]
    public async Task FL03_listed_relays_extending_through_a_limited_relay_are_never_refused()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));
        using var meters = new TestMeterFactory();
        using var limiter = new AddressLimiter(
            Options.Create(new RelayLimitsOptions
            {
                CircuitCreationBurst = Burst,
                CircuitCreationRate = 1,
                CircuitCreationMinConnections = 1,
                CircuitDefensePeriod = TimeSpan.FromMinutes(10),
            }),
            clock,
            meters);
        await using var network = await RelayNetwork.StartAsync(3, admission: i => i == 2 ? limiter : null);
        var limited = network.StatusOf(2);
        await using var clients = new Originator();

        // Relays 0 and 1 (both on 127.0.0.1) extend 30 circuits each to relay 2: 60 CREATE2 from one address, 12× the burst.
        var refusals = 0;
        for (var relay = 0; relay < 2; relay++)
        {
            var link = await clients.ConnectAsync(network.StatusOf(relay), IPAddress.Parse("127.0.5.1"));
            for (var i = 0; i < CircuitsPerRelay; i++)
            {
                var circuit = await ClientCircuit.CreateAsync(link, network.StatusOf(relay)).WaitAsync(TestTimeouts.Step);
                try
                {
                    await circuit.ExtendAsync(limited).WaitAsync(TestTimeouts.Step);
                }
                catch (CircuitException)
                {
                    refusals++;
                }

                await circuit.CloseAsync();
            }
        }

        Assert.Equal(0, refusals);

        // A client on the same address as those relays gets its burst, then DESTROY(resource limit).
        using var direct = new RawCircuitDriver();
        var directLink = await direct.ConnectAsync(limited, IPAddress.Loopback);
        var accepted = 0;
        for (var i = 0; i < 2 * Burst; i++)
        {
            var (pending, response, ntor) = await RawCircuitDriver.SendCreateAsync(directLink, limited);
            ntor.Dispose();
            if (response.Failure == CircuitCloseReason.None)
            {
                accepted++;
                directLink.Pool.Return(response.Created2);
                await directLink.AbandonAsync(pending);
            }
            else
            {
                Assert.Equal(DestroyReason.ResourceLimit, response.DestroyReason);
            }
        }

        Assert.Equal(Burst, accepted);
        await directLink.DisposeAsync();
    }
}
