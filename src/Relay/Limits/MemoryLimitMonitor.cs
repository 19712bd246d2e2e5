using System.Diagnostics.Metrics;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// A circuit, or a link's outbound queue, as the memory limit sees it: how much it holds queued, since when, and how
/// to close it.
/// </summary>
public interface IQueuedCircuit
{
    /// <summary>Bytes of cells the circuit holds queued now.</summary>
    long QueuedBytes { get; }

    /// <summary>When its oldest queued data was queued (a timestamp of the runtime's clock); 0 when nothing waits.</summary>
    long OldestQueuedTimestamp { get; }

    /// <summary>True once the circuit is closed or closing.</summary>
    bool IsClosed { get; }

    /// <summary>
    /// Closes it for the memory limit and returns at once: a circuit sends DESTROY both ways with reason
    /// RESOURCELIMIT and its reactor frees its queue; a link is aborted, its queue dropped and its circuits closed.
    /// </summary>
    void Close();
}

/// <summary>The circuits and links the memory limit may close: the relay engine's, or any set in tests.</summary>
public interface IMemoryLimitCircuits
{
    /// <summary>Adds every open circuit to <paramref name="into"/> (a snapshot; called from the monitor's thread).</summary>
    void Collect(List<IQueuedCircuit> into);

    /// <summary>
    /// Adds every open link's outbound queue to <paramref name="into"/> (a snapshot; called from the monitor's thread).
    /// None by default.
    /// </summary>
    void CollectLinks(List<IQueuedCircuit> into)
    {
    }
}

/// <summary><see cref="IMemoryLimitCircuits"/> over circuit reactors and links from any source.</summary>
public class ReactorCircuits : IMemoryLimitCircuits
{
    private readonly Func<IEnumerable<CircuitReactor>> _source;
    private readonly Func<IEnumerable<Link>>? _links;

    /// <summary>
    /// Reads the reactors from <paramref name="source"/>, and the links (when given) from <paramref name="links"/>,
    /// at every check.
    /// </summary>
    public ReactorCircuits(Func<IEnumerable<CircuitReactor>> source, Func<IEnumerable<Link>>? links = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _links = links;
    }

    /// <inheritdoc/>
    public void Collect(List<IQueuedCircuit> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (var reactor in _source())
        {
            if (!reactor.IsClosed)
            {
                into.Add(new QueuedReactor(reactor));
            }
        }
    }

    /// <inheritdoc/>
    public void CollectLinks(List<IQueuedCircuit> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_links is null)
        {
            return;
        }

        foreach (var link in _links())
        {
            if (link.CloseReason == LinkCloseReason.None)
            {
                into.Add(new QueuedLink(link));
            }
        }
    }

    private sealed class QueuedReactor(CircuitReactor reactor) : IQueuedCircuit
    {
        public long QueuedBytes => (long)reactor.HeldCells * CircuitQueueAccount.BytesPerCell;

        public long OldestQueuedTimestamp => reactor.OldestQueuedTimestamp;

        public bool IsClosed => reactor.IsClosed;

        public void Close() => _ = reactor.CloseForMemoryLimitAsync();
    }

    private sealed class QueuedLink(Link link) : IQueuedCircuit
    {
        public long QueuedBytes => (long)link.OutboundCells * CircuitQueueAccount.BytesPerCell;

        public long OldestQueuedTimestamp => link.OldestOutboundTimestamp;

        public bool IsClosed => link.CloseReason != LinkCloseReason.None;

        public void Close() => link.AbortForMemoryLimit();
    }
}

/// <summary>
/// The relay engine's circuits (<see cref="RelayEngine.Circuits"/>) and the links of its runtime
/// (<see cref="LinkRuntime.OpenLinks"/>) for the memory limit.
/// </summary>
public sealed class EngineCircuits : ReactorCircuits
{
    /// <summary>Reads <paramref name="engine"/>'s circuits and links at every check.</summary>
    public EngineCircuits(RelayEngine engine)
        : base(() => Reactors(engine), () => Links(engine))
    {
        ArgumentNullException.ThrowIfNull(engine);
    }

    private static IEnumerable<Link> Links(RelayEngine engine) => engine.Runtime.OpenLinks;

    private static IEnumerable<CircuitReactor> Reactors(RelayEngine engine)
    {
        foreach (var context in engine.Circuits)
        {
            yield return context.Circuit;
        }
    }
}

/// <summary>What one memory check did.</summary>
/// <param name="WasOverLimit">Whether the relay was above its limit.</param>
/// <param name="CacheBytesTrimmed">Bytes the caches released.</param>
/// <param name="CircuitsClosed">Circuits closed.</param>
/// <param name="QueuedBytesFreed">Queued bytes those circuits and links held.</param>
/// <param name="LinksClosed">Links closed for their outbound queues.</param>
public readonly record struct MemoryLimitOutcome(bool WasOverLimit, long CacheBytesTrimmed, int CircuitsClosed, long QueuedBytesFreed, int LinksClosed = 0);

/// <summary>
/// Enforces <see cref="MemoryQuota.Limit"/> (Tor's out-of-memory handler, dos-spec "Memory exhaustion"). Every
/// <see cref="RelayLimitsOptions.MemoryCheckInterval"/> it compares <see cref="MemoryQuota.Used"/> with the limit;
/// above it, first, caches holding more than <see cref="MemoryQuota.CacheTrimTarget"/> are trimmed to it (claims
/// already stop at <see cref="MemoryQuota.CacheShare"/>); then, while still above the limit, the circuits and links whose
/// queued data is oldest are closed until what remains is below 90 % of the limit: a circuit with DESTROY both ways
/// (reason RESOURCELIMIT), a link (whose outbound queue holds cells for a peer that stopped reading) by aborting it,
/// which closes the circuits it carried. Oldest rather than largest: data that has waited longest is the least likely
/// to drain on its own (a reader that stopped reading), while a busy queue is large but moving. The process stays up;
/// every fault is logged and the next check runs.
/// Register as a hosted service.
/// </summary>
public sealed class MemoryLimitMonitor : BackgroundService
{
    private readonly MemoryQuota _quota;
    private readonly IMemoryLimitCircuits _circuits;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _freed;
    private readonly List<IQueuedCircuit> _scratch = [];
    private bool _wasOver;

    /// <summary>Creates the monitor; <see cref="BackgroundService.StartAsync"/> starts its loop.</summary>
    public MemoryLimitMonitor(
        MemoryQuota quota,
        IMemoryLimitCircuits circuits,
        IOptions<RelayLimitsOptions> options,
        TimeProvider timeProvider,
        IMeterFactory meterFactory,
        ILogger<MemoryLimitMonitor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(quota);
        ArgumentNullException.ThrowIfNull(circuits);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(meterFactory);
        options.Value.Validate();
        _quota = quota;
        _circuits = circuits;
        _time = timeProvider;
        _interval = options.Value.MemoryCheckInterval;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _meter = meterFactory.Create(RelayTelemetry.MeterName);
        _actions = _meter.CreateCounter<long>("hpc.relay.memory_limit_actions", "{action}", "What the memory limit did: trim_caches, close_circuit, close_link.");
        _freed = _meter.CreateCounter<long>("hpc.relay.memory_limit_freed", "By", "Bytes the memory limit freed, by action.");
        _meter.CreateObservableGauge("hpc.relay.memory_used", () => _quota.Used, "By", "Bytes counted against the memory limit: cells queued in circuits and on links, caches and partial uploads.");
        _meter.CreateObservableGauge("hpc.relay.memory_limit", () => _quota.Limit, "By", "The memory limit.");
    }

    /// <summary>One check, as the loop runs it: acts when above the limit. Not to be called concurrently with itself.</summary>
    public MemoryLimitOutcome Check()
    {
        var used = _quota.Used;
        if (used <= _quota.Limit)
        {
            _wasOver = false;
            return default;
        }

        if (!_wasOver)
        {
            LimitsLog.MemoryLimitReached(_logger, used, _quota.Limit);
            _wasOver = true;
        }

        // Claims stop at the cache share, so caches are trimmed as soon as they hold more than the trim target.
        var trimmed = 0L;
        var cacheBytes = _quota.CacheBytes;
        if (cacheBytes > _quota.CacheTrimTarget)
        {
            trimmed = TrimCaches(cacheBytes - _quota.CacheTrimTarget);
        }

        var closed = 0;
        var linksClosed = 0;
        var freed = 0L;
        used = _quota.Used;
        if (used > _quota.Limit)
        {
            (closed, linksClosed, freed) = CloseOldest(used - (_quota.Limit / 10 * 9));
        }

        LimitsLog.MemoryLimitHandled(_logger, trimmed, closed, linksClosed, freed);
        return new MemoryLimitOutcome(true, trimmed, closed, freed, linksClosed);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    Check();
                }
#pragma warning disable CA1031 // The monitor keeps running whatever a cache or circuit does.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LimitsLog.MemoryCheckFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private long TrimCaches(long toFree)
    {
        var freed = 0L;
        foreach (var trimmer in _quota.Trimmers)
        {
            if (freed >= toFree)
            {
                break;
            }

            try
            {
                freed += Math.Max(0, trimmer(toFree - freed));
            }
#pragma warning disable CA1031 // One faulty cache does not stop the others from being trimmed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LimitsLog.CacheTrimmerFailed(_logger, ex);
            }
        }

        if (freed > 0)
        {
            _actions.Add(1, new KeyValuePair<string, object?>("action", "trim_caches"));
            _freed.Add(freed, new KeyValuePair<string, object?>("action", "trim_caches"));
        }

        return freed;
    }

    private (int Circuits, int Links, long Freed) CloseOldest(long toFree)
    {
        // Snapshot the timestamps once: they move while the sort runs.
        var candidates = new List<(long Oldest, long Bytes, IQueuedCircuit Holder, bool IsLink)>();
        _scratch.Clear();
        _circuits.Collect(_scratch);
        AddCandidates(candidates, isLink: false);
        _circuits.CollectLinks(_scratch);
        AddCandidates(candidates, isLink: true);
        candidates.Sort(static (a, b) => a.Oldest.CompareTo(b.Oldest));

        var circuits = 0;
        var links = 0;
        var circuitBytes = 0L;
        var linkBytes = 0L;
        foreach (var (_, bytes, holder, isLink) in candidates)
        {
            if (circuitBytes + linkBytes >= toFree)
            {
                break;
            }

            // A circuit may have closed meanwhile with a link closed before it.
            if (holder.IsClosed)
            {
                continue;
            }

            holder.Close();
            if (isLink)
            {
                links++;
                linkBytes += bytes;
            }
            else
            {
                circuits++;
                circuitBytes += bytes;
            }
        }

        Count("close_circuit", circuits, circuitBytes);
        Count("close_link", links, linkBytes);
        return (circuits, links, circuitBytes + linkBytes);
    }

    private void AddCandidates(List<(long Oldest, long Bytes, IQueuedCircuit Holder, bool IsLink)> candidates, bool isLink)
    {
        foreach (var holder in _scratch)
        {
            var oldest = holder.OldestQueuedTimestamp;
            var bytes = holder.QueuedBytes;
            if (oldest != 0 && bytes > 0 && !holder.IsClosed)
            {
                candidates.Add((oldest, bytes, holder, isLink));
            }
        }

        _scratch.Clear();
    }

    private void Count(string action, int closed, long freed)
    {
        if (closed > 0)
        {
            _actions.Add(closed, new KeyValuePair<string, object?>("action", action));
            _freed.Add(freed, new KeyValuePair<string, object?>("action", action));
        }
    }
}
