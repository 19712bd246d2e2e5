using System.Diagnostics.Metrics;
using HiddenPoint.Network.Diagnostics;

namespace HiddenPoint.Network.Tests;

/// <summary>Counts cells received by the links of one runtime, through its <c>hpc.link.cells_in</c> counter.</summary>
internal sealed class CellCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _received;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CellCounter(TestMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NetworkMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters)
                && instrument.Name == "hpc.link.cells_in")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Interlocked.Add(ref _received, value) >= Volatile.Read(ref _target))
            {
                _reached.TrySetResult();
            }
        });
        _listener.Start();
    }

    public long Received => Volatile.Read(ref _received);

    /// <summary>Completes once <paramref name="more"/> further cells have arrived.</summary>
    public Task Expect(long more)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, Received + more);
        if (Received >= Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }

        return _reached.Task;
    }

    public void Dispose() => _listener.Dispose();
}
