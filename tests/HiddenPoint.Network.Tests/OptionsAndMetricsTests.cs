using System.Diagnostics.Metrics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Tests;

public sealed class OptionsAndMetricsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new LinkOptions().Validate();
        new CircuitOptions().Validate();
    }

    [Fact]
    public void Out_of_range_link_options_name_the_option()
    {
        var options = new LinkOptions { MaxCircuitsPerLink = 0, IdleTimeout = TimeSpan.FromSeconds(30), KeepaliveInterval = TimeSpan.FromSeconds(60) };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains(error.Failures, f => f.Contains("LinkOptions.MaxCircuitsPerLink", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("LinkOptions.IdleTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Window_must_be_a_multiple_of_the_SENDME_increment()
    {
        var result = new CircuitOptionsValidator().Validate(null, new CircuitOptions { Window = 1000, SendmeIncrement = 300 });
        Assert.True(result.Failed);
        Assert.Contains("CircuitOptions.Window", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_refuses_bad_options_at_start()
    {
        Assert.Throws<OptionsValidationException>(() => TestLinks.Runtime(link: o => o.OutboundQueueCapacity = 1));
    }

    [Fact]
    public async Task Handshake_failures_and_closes_are_counted_by_reason_without_peer_tags()
    {
        using var meters = new TestMeterFactory();
        using var runtime = TestLinks.Runtime(meters: meters);
        var seen = new List<(string Instrument, long Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetworkMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var text = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (seen)
            {
                seen.Add((instrument.Name, value, text));
            }
        });
        listener.Start();

        var (_, b, rawA, _) = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var accept = runtime.AcceptAsync(b, key, AcceptedLinkKinds.All, null);
        await rawA.Output.WriteAsync(new byte[] { 0x7f });
        await TestTimeouts.Within(accept);

        var (client, relay) = await TestLinks.OpenPipeLinkAsync(runtime);
        await client.CloseAsync().WaitAsync(TestTimeouts.Step);
        await relay.Completion.WaitAsync(TestTimeouts.Step);

        lock (seen)
        {
            Assert.Contains(seen, m => m.Instrument == "hpc.link.handshake_failures" && m.Tags == "reason=handshake_malformed");
            Assert.Contains(seen, m => m.Instrument == "hpc.link.closed" && m.Tags == "reason=local_close");
            Assert.Contains(seen, m => m.Instrument == "hpc.link.closed" && m.Tags == "reason=peer_closed");
            Assert.Equal(2, seen.Count(m => m.Instrument == "hpc.link.opened"));
            Assert.All(seen, m => Assert.True(m.Tags.Length == 0 || m.Tags.StartsWith("reason=", StringComparison.Ordinal), m.Tags));
        }
    }
}
