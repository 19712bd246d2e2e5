using System.Diagnostics.Metrics;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.HiddenPoints;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

public sealed class HiddenPointMetricsTests
{
    [Fact]
    public async Task RolesCountWhatTheyDoWithReasonsAndStatusesOnly()
    {
        await using var relay = new RoleHarness();
        var measured = new List<(string Name, long Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RelayTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, relay.Meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var text = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (measured)
            {
                measured.Add((instrument.Name, value, text));
            }
        });
        listener.Start();

        using var authKey = IntroductionPointRoleTests.NewAuthKey();
        await IntroductionPointRoleTests.Established(relay, authKey);
        var client = await relay.OpenClientAsync();
        await client.SendAsync(IntroductionPointRoleTests.Introduce1(IntroductionPointRoleTests.NewAuthKey()));
        await client.ReceiveAsync();
        var reader = await relay.OpenClientAsync();
        await reader.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, []), stream: 1);
        await reader.ReceiveAsync();
        await reader.ReceiveAsync();

        lock (measured)
        {
            Assert.Contains(("hpc.relay.intro.established", 1L, ""), measured);
            Assert.Contains(("hpc.relay.intro.introductions_refused", 1L, "reason=unknown_service"), measured);
            Assert.Contains(("hpc.relay.directory.requests", 1L, "resource=consensus,status=unavailable"), measured);
        }
    }

    [Fact]
    public void OptionsOutOfRangeAreNamed()
    {
        var result = new HiddenPointRoleOptionsValidator().Validate(null, new HiddenPointRoleOptions
        {
            IntroduceRatePerSecond = 0,
            MaxDirectoryStreamsPerCircuit = 1_000,
            RendezvousWaitTimeout = TimeSpan.FromMinutes(9),
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("HiddenPointRoleOptions.IntroduceRatePerSecond is 0", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("HiddenPointRoleOptions.MaxDirectoryStreamsPerCircuit is 1000", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("HiddenPointRoleOptions.CookieReplayWindow", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => new RendezvousPointRole(
            Options.Create(new HiddenPointRoleOptions { IntroduceBurst = 0 }),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RendezvousPointRole>.Instance,
            new TestMeterFactory()));
        Assert.True(new HiddenPointRoleOptionsValidator().Validate(null, new HiddenPointRoleOptions()).Succeeded);
    }
}
