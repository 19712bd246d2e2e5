using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>Every log entry of the loggers it creates, at every level.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Event, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Capturing(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, exception));
    }
}

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
    public async Task EXTEND2_to_addresses_that_name_no_relay_is_refused_as_not_listed_without_an_exception()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        await using var network = await TestNetwork.StartAsync(2, loggerFactory: loggerFactory);
        using var extends = new ExtendResults(network[0].Meters);
        using var client = new TestClient();
        var guard = network.StatusOf(0);
        var next = network.StatusOf(1);
        var port = next.Addresses[0].Port;
        LinkSpecifiers[] unusable =
        [
            new(next.Id, new IPEndPoint(IPAddress.Any, port), null),
            new(next.Id, null, new IPEndPoint(IPAddress.IPv6Any, port)),
            new(next.Id, null, new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), port)),
        ];
        var link = await client.ConnectAsync(guard);

        for (var i = 0; i < 20; i++)
        {
            var circuit = await TestClient.CreateAsync(link, guard);
            await SendExtendAsync(circuit, next, unusable[i % unusable.Length]);
            Assert.Null(await circuit.NextAsync());
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestNetwork.Timeout));
        }

        await Eventually.TrueAsync(() => extends.Total == 20, "every EXTEND2 counted");
        Assert.Equal(20, extends.Count("address_not_listed"));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        Assert.Equal(0, network[0].Engine.RelayLinks.Count);
        Assert.Equal(20, logs.Entries.Count(e => e.Event.Id == 3005));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Exception is not null);

        // The relay goes on serving, and extends to the listed address.
        var good = await TestClient.CreateAsync(link, guard);
        Assert.True(await TestClient.ExtendAsync(good, next));
        await link.DisposeAsync();
    }

    /// <summary>EXTEND2 in RELAY_EARLY to the circuit's last hop, with the link specifiers as given.</summary>
    private static async Task SendExtendAsync(TestCircuit circuit, Protocol.Documents.RelayStatus next, LinkSpecifiers specifiers)
    {
        var handshake = TestClient.StartHandshake(next, out var ntor);
        ntor.Dispose();
        var message = new Extend2Message(specifiers, HandshakeType.NtorV3, handshake);
        var data = new byte[message.DataLength];
        var writer = new WireWriter(data);
        message.EncodeData(ref writer);
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(circuit.Hops - 1, RelayCommand.Extend2, data, relayEarly: true));
    }
}
