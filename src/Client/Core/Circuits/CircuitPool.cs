using HiddenPoint.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Circuits;

/// <summary>
/// Pre-built circuits for the purposes whose last hop is free, kept at <see cref="CircuitBuilderOptions.PoolSize"/> per
/// shape by one background task (the pool's only builder). Two shapes: general (guard · middle · last, for
/// <see cref="CircuitPurpose.General"/>) and hidden-point (guard · vanguard · last with a Stable and Fast last hop, for
/// <see cref="CircuitPurpose.ClientRendezvous"/> and <see cref="CircuitPurpose.HostIntroduction"/>, which share a
/// shape). A circuit taken is the caller's; a pooled circuit that closed, or is older than
/// <see cref="CircuitBuilderOptions.PooledCircuitMaxAge"/>, is dropped (and closed) instead of handed out.
/// </summary>
internal sealed class CircuitPool : IAsyncDisposable
{
    private const int ShapeCount = 2;
    private static readonly TimeSpan s_retryMax = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly CircuitBuilder _builder;
    private readonly CircuitBuilderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Entry>[] _ready = [[], []];
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public CircuitPool(CircuitBuilder builder, CircuitBuilderOptions options, TimeProvider time, ILogger logger)
    {
        _builder = builder;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The pool's shapes.</summary>
    public enum Shape
    {
        General = 0,
        HiddenPoint = 1,
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ready[0].Count + _ready[1].Count;
            }
        }
    }

    /// <summary>The pooled shape serving <paramref name="purpose"/> without a named last hop, or null when none does.</summary>
    public static Shape? ShapeOf(CircuitPurpose purpose) => purpose switch
    {
        CircuitPurpose.General => Shape.General,
        CircuitPurpose.ClientRendezvous or CircuitPurpose.HostIntroduction => Shape.HiddenPoint,
        _ => null,
    };

    public void Start()
    {
        if (_options.PoolSize == 0)
        {
            return;
        }

        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    public void Nudge()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public bool TryTake(Shape shape, out ProvidedCircuit circuit)
    {
        List<Entry> dropped = [];
        var found = false;
        circuit = null!;
        lock (_gate)
        {
            var list = _ready[(int)shape];
            while (list.Count > 0)
            {
                var entry = list[0];
                list.RemoveAt(0);
                if (Usable(entry))
                {
                    circuit = entry.Circuit;
                    found = true;
                    break;
                }

                dropped.Add(entry);
            }
        }

        Close(dropped);
        Nudge();
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        List<Entry> all;
        lock (_gate)
        {
            all = [.. _ready[0], .. _ready[1]];
            _ready[0].Clear();
            _ready[1].Clear();
        }

        foreach (var entry in all)
        {
            await entry.Circuit.Circuit.CloseAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _signal.Dispose();
    }

    private bool Usable(Entry entry) => !entry.Circuit.Circuit.IsClosed && IsYoungEnough(entry.BuiltAt, _time, _options.PooledCircuitMaxAge);

    /// <summary>
    /// True while less than <paramref name="maxAge"/> has passed since <paramref name="builtAt"/>, a
    /// <see cref="TimeProvider.GetTimestamp"/> reading: ages are measured on the monotonic clock, so a jump of the wall
    /// clock (an NTP step, a suspended laptop's catch-up, an operator's change) neither drops every pooled circuit at
    /// once nor keeps them past their age.
    /// </summary>
    internal static bool IsYoungEnough(long builtAt, TimeProvider time, TimeSpan maxAge) => time.GetElapsedTime(builtAt) < maxAge;

    private static void Close(List<Entry> entries)
    {
        foreach (var entry in entries)
        {
            _ = entry.Circuit.Circuit.CloseAsync();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            var wait = _options.PoolCheckInterval;
            try
            {
                for (var shape = 0; shape < ShapeCount; shape++)
                {
                    Purge((Shape)shape);
                    while (Missing((Shape)shape) && !stopping.IsCancellationRequested)
                    {
                        var purpose = shape == (int)Shape.General ? CircuitPurpose.General : CircuitPurpose.HostIntroduction;
                        var built = await _builder.BuildAsync(purpose, null, stopping).ConfigureAwait(false);
                        lock (_gate)
                        {
                            _ready[shape].Add(new Entry(built, _time.GetTimestamp()));
                        }
                    }
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (CircuitBuildException)
            {
                // Logged by the builder; wait before trying again, longer after each failure in a row.
                var backoff = _options.PoolRetryInitial * Math.Pow(2, Math.Min(failures++, 16));
                wait = backoff < s_retryMax ? backoff : s_retryMax;
            }
#pragma warning disable CA1031 // The pool's task must outlive any one fault: it is logged and the loop goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ClientLog.PoolFault(_logger, e);
                wait = s_retryMax;
            }

            await WaitAsync(wait, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private bool Missing(Shape shape)
    {
        lock (_gate)
        {
            return _ready[(int)shape].Count < _options.PoolSize;
        }
    }

    private void Purge(Shape shape)
    {
        List<Entry> dropped = [];
        lock (_gate)
        {
            var list = _ready[(int)shape];
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (!Usable(list[i]))
                {
                    dropped.Add(list[i]);
                    list.RemoveAt(i);
                }
            }
        }

        Close(dropped);
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stopping)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var signalled = _signal.WaitAsync(done.Token);
        var delay = Task.Delay(wait, _time, done.Token);
        await Task.WhenAny(signalled, delay).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        await signalled.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // BuiltAt: a monotonic timestamp (TimeProvider.GetTimestamp), never the wall clock.
    private sealed record Entry(ProvidedCircuit Circuit, long BuiltAt);
}
