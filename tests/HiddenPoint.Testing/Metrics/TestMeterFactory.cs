using System.Diagnostics.Metrics;

namespace HiddenPoint.Testing;

/// <summary>
/// A meter factory whose meters are scoped to it, so a listener can tell one test's meters from those of tests running
/// alongside; disposing it disposes them.
/// </summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    /// <inheritdoc/>
    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Scope = this;
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
