using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>Counts <c>hpc.relay.extends</c> by result on one relay's meters.</summary>
internal sealed class ExtendResults : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public ExtendResults(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "hpc.relay.extends")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    _counts.AddOrUpdate((string)tag.Value!, (int)value, (_, count) => count + (int)value);
                }
            }
        });
        _listener.Start();
    }

    public int Total => _counts.Values.Sum();

    public int Count(string result) => _counts.GetValueOrDefault(result);

    public void Dispose() => _listener.Dispose();
}

public sealed class HostileExtendTests
{
    [Fact]
    public async Task EXTEND2_to_addresses_that_name_no_relay_is_refused_as_malformed_without_an_exception()
    {
        // Twenty malformed EXTEND2 on one link: the per-link violation limit (FL-01) would close it after ten.
        await using var network = await RelayNetwork.StartAsync(2, o => o.MaxCircuitViolationsPerLink = 1_000);
        using var extends = new ExtendResults(network[0].Meters);
        await using var client = new Originator();
        var guard = network.StatusOf(0);
        var next = network.StatusOf(1);
        var link = await client.ConnectAsync(guard);

        for (var i = 0; i < 20; i++)
        {
            await using var circuit = await ClientCircuit.CreateAsync(link, guard).WaitAsync(TestTimeouts.Step);
            await SendExtendAsync(circuit, next, i % 3);
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Completion.WaitAsync(TestTimeouts.Step));
        }

        await Eventually.TrueAsync(() => extends.Total == 20, "every EXTEND2 counted");
        Assert.Equal(20, extends.Count("malformed"));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(0, network[0].Engine.RelayLinks.Count);
        Assert.Equal(20, network[0].Logs.Lines.Count(l => l.Id.Id == 3005));
        Assert.Empty(network[0].Logs.WarningsWithExceptions);

        // The relay goes on serving, and extends to the listed address.
        await using var good = await ClientCircuit.CreateAsync(link, guard).WaitAsync(TestTimeouts.Step);
        Assert.Equal(new HopIndex(1), await good.ExtendAsync(next).WaitAsync(TestTimeouts.Step));
    }

    /// <summary>
    /// EXTEND2 in RELAY_EARLY to the circuit's first hop, whose one address is 0.0.0.0, :: or ::ffff:127.0.0.1. The
    /// encoder refuses such addresses, so a well-formed EXTEND2 is patched where its first link specifier's address is.
    /// </summary>
    private static async Task SendExtendAsync(ClientCircuit circuit, Protocol.Documents.RelayStatus next, int which)
    {
        var port = next.Addresses[0].Port;
        var specifiers = which == 0
            ? new LinkSpecifiers(next.Id, new IPEndPoint(IPAddress.Loopback, port), null)
            : new LinkSpecifiers(next.Id, null, new IPEndPoint(IPAddress.IPv6Loopback, port));
        var message = new Extend2Message(specifiers, HandshakeType.NtorV3, new byte[84]);
        var data = new byte[message.DataLength];
        var writer = new WireWriter(data);
        message.EncodeData(ref writer);

        // NSPEC (1) · type (1) · length (1) · address: the addresses come first.
        byte[] address = which switch
        {
            0 => IPAddress.Any.GetAddressBytes(),
            1 => IPAddress.IPv6Any.GetAddressBytes(),
            _ => IPAddress.Parse("::ffff:127.0.0.1").GetAddressBytes(),
        };
        address.CopyTo(data, 3);

        var cell = circuit.Reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, RelayCommand.Extend2, default, data, RandomPaddingSource.Instance);
        Assert.Equal(CircuitSendResult.Queued, await circuit.Reactor.SendAsync(HopIndex.First, cell, relayEarly: true));
    }
}
