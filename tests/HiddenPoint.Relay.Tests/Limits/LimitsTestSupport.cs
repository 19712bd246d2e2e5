using System.Diagnostics.Metrics;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.Limits;

/// <summary>Collects long measurements of one factory's instruments by instrument name and tag value.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];

    public MeasurementRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += "|" + tag.Value;
            }

            lock (_totals)
            {
                _totals[key] = instrument is ObservableGauge<long> ? value : _totals.GetValueOrDefault(key) + value;
            }
        });
        _listener.Start();
    }

    public long Get(string name, string? tag = null)
    {
        lock (_totals)
        {
            return _totals.GetValueOrDefault(tag is null ? name : name + "|" + tag);
        }
    }

    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();
}

internal static class LimitsTestOptions
{
    public static IOptions<RelayLimitsOptions> Create(Action<RelayLimitsOptions>? configure = null)
    {
        var options = new RelayLimitsOptions();
        configure?.Invoke(options);
        return Options.Create(options);
    }
}
