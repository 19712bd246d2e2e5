using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// TEST-MATRIX FL-04: one address floods a real relay engine with TCP connections (and full link handshakes) on
/// loopback. Above 100 concurrent connections the relay closes new ones; above 20 per second (burst 40) it marks the
/// address and refuses it for the defence period. Another address keeps connecting and its circuits keep being served.
/// </summary>
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private static readonly IPAddress s_attacker = IPAddress.Parse("127.0.4.1");
    private static readonly IPAddress s_honest = IPAddress.Parse("127.0.4.2");
    private static readonly StreamId s_stream = new(1);

    [Fact]
    public async Task FL04_above_one_hundred_concurrent_connections_from_one_address_new_ones_are_closed()
    {
        // The rate is out of the way (a burst of 1,000): this test is about the concurrent cap alone, at its default.
        var limiter = NewLimiter(o => o.ConnectionBurst = 1_000, out _, out var meters);
        using var meterScope = meters;
        using var limiterScope = limiter;
        await using var network = await RelayNetwork.StartAsync(1, admission: _ => limiter);
        var relay = network.StatusOf(0);
        await using var attacker = new Originator();
        await using var honest = new Originator();
        var fdsBefore = OpenFileDescriptors();

        var opened = new List<Link>();
        var refused = 0;
        for (var i = 0; i < 150; i++)
        {
            var link = await TryConnectAsync(attacker, relay, s_attacker);
            if (link is null)
            {
                refused++;
            }
            else
            {
                opened.Add(link);
            }
        }

        var fdsDuring = OpenFileDescriptors();
        output.WriteLine($"FL-04 concurrent: {opened.Count} admitted, {refused} refused; descriptors of this process {fdsBefore} → {fdsDuring} (both ends of every link are in it)");
        Assert.Equal(new RelayLimitsOptions().MaxConcurrentConnections, opened.Count);
        Assert.Equal(50, refused);

        // Another address is untouched: it connects, and its circuit is served.
        var (served, asked) = await ServeHonestAsync(honest, relay, requests: 20);
        Assert.Equal(asked, served);

        // A connection that goes makes room for exactly one more.
        await opened[0].DisposeAsync();
        await Eventually.TrueAsync(() => network[0].Engine.LinkCount(Relay.Circuits.EngineLinkKind.Client) == opened.Count, "the relay let the closed link go");
        var replacement = await TryConnectAsync(attacker, relay, s_attacker);
        Assert.NotNull(replacement);
        Assert.Null(await TryConnectAsync(attacker, relay, s_attacker));
    }

    [Fact]
    public async Task FL04_new_connections_above_burst_forty_mark_the_address_for_the_defence_period()
    {
        // The limiter's clock stands still during the flood, so no token refills: exactly the burst is admitted.
        var limiter = NewLimiter(null, out var clock, out var meters);
        using var meterScope = meters;
        using var limiterScope = limiter;
        await using var network = await RelayNetwork.StartAsync(1, admission: _ => limiter);
        var relay = network.StatusOf(0);
        await using var attacker = new Originator();
        await using var honest = new Originator();

        var admitted = 0;
        var refused = 0;
        for (var i = 0; i < 100; i++)
        {
            var link = await TryConnectAsync(attacker, relay, s_attacker);
            if (link is null)
            {
                refused++;
                continue;
            }

            admitted++;
            await link.DisposeAsync();
        }

        output.WriteLine($"FL-04 rate: {admitted} admitted, {refused} refused of 100 new connections at once");
        Assert.Equal(new RelayLimitsOptions().ConnectionBurst, admitted);
        Assert.Equal(100 - admitted, refused);

        // Marked: an hour later (buckets long full again) the address is still refused; another one is served.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await TryConnectAsync(attacker, relay, s_attacker));
        var (served, asked) = await ServeHonestAsync(honest, relay, requests: 20);
        Assert.Equal(asked, served);

        // After the defence period (24 h) the address connects again.
        clock.Advance(new RelayLimitsOptions().ConnectionDefensePeriod);
        var again = await TryConnectAsync(attacker, relay, s_attacker);
        Assert.NotNull(again);
    }

    private static AddressLimiter NewLimiter(Action<RelayLimitsOptions>? configure, out FakeTimeProvider clock, out TestMeterFactory meters)
    {
        var options = new RelayLimitsOptions();
        configure?.Invoke(options);
        clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));
        meters = new TestMeterFactory();
        return new AddressLimiter(Options.Create(options), clock, meters);
    }

    // A link from <from>, or null when the relay closed the connection before the handshake ended (a refusal).
    private static async Task<Link?> TryConnectAsync(Originator originator, RelayStatus relay, IPAddress from)
    {
        try
        {
            return await originator.ConnectAsync(relay, from);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    // The honest control: a circuit from another address, answering requests one after the other.
    private static async Task<(int Served, int Asked)> ServeHonestAsync(Originator honest, RelayStatus relay, int requests)
    {
        var link = await honest.ConnectAsync(relay, s_honest);
        var circuit = await RawCircuitDriver.CreateAsync(link, relay);
        var served = 0;
        for (var i = 0; i < requests; i++)
        {
            if (await circuit.SendAsync(0, RelayCommand.DirectoryRequest, [1, 0], s_stream) == CircuitSendResult.Queued
                && await circuit.NextAsync() is { Command: RelayCommand.DirectoryResponse })
            {
                served++;
            }
        }

        await circuit.Circuit.CloseAsync();
        return (served, requests);
    }

    private static int OpenFileDescriptors() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;
}
