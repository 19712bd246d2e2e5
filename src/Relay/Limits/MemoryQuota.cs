using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// Frees cache entries when the relay is above its memory limit: asked to free at least
/// <paramref name="bytesToFree"/>, the cache drops its least recently used entries, calls
/// <see cref="MemoryQuota.ReleaseCache"/> for them, and returns how many bytes it released.
/// </summary>
/// <param name="bytesToFree">How much the cache is asked to give back.</param>
/// <returns>The bytes released.</returns>
public delegate long CacheTrimmer(long bytesToFree);

/// <summary>
/// One account of the bytes the relay holds for others against <see cref="Limit"/> (Tor's MaxMemInQueues): the cells
/// queued in circuit reactors and in links' outbound queues (read from the runtime's <see cref="CircuitQueueAccount"/>
/// and <see cref="LinkQueueAccount"/>, <see cref="LinkRuntime.QueuedBytes"/>), what caches (the HSDir descriptor store,
/// …) claim through <see cref="TryClaimCache"/>, and what transient buffers (descriptor uploads still arriving on
/// directory streams) claim through <see cref="TryClaimBuffer"/>. <see cref="MemoryLimitMonitor"/> acts when it is
/// exceeded. Thread-safe; claims are interlocked.
/// </summary>
public sealed class MemoryQuota
{
    private readonly Func<long> _queuedBytes;
    private readonly Lock _gate = new();
    private CacheTrimmer[] _trimmers = [];
    private long _cacheBytes;
    private long _bufferBytes;

    /// <summary>Creates the quota over the cells queued in <paramref name="runtime"/>'s reactors and links; the options are validated here.</summary>
    public MemoryQuota(IOptions<RelayLimitsOptions> options, LinkRuntime runtime)
        : this(Unwrap(options), QueuedBytesOf(runtime))
    {
    }

    internal MemoryQuota(RelayLimitsOptions options, Func<long> queuedBytes)
    {
        options.Validate();
        _queuedBytes = queuedBytes;
        Limit = options.EffectiveMemoryLimit;
        CacheShare = Limit / 100 * options.CacheSharePercent;
        CacheTrimTarget = Limit / 100 * options.CacheTrimPercent;
    }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }

    /// <summary>Bytes in use now: queued cells, claimed caches and claimed buffers.</summary>
    public long Used => QueuedBytes + CacheBytes + BufferBytes;

    /// <summary>Bytes of cells queued in circuit reactors and links' outbound queues now.</summary>
    public long QueuedBytes => _queuedBytes();

    /// <summary>Bytes claimed by caches now.</summary>
    public long CacheBytes => Volatile.Read(ref _cacheBytes);

    /// <summary>Bytes claimed by transient buffers now (partial descriptor uploads).</summary>
    public long BufferBytes => Volatile.Read(ref _bufferBytes);

    /// <summary>The most caches may claim together (<see cref="RelayLimitsOptions.CacheSharePercent"/> of the limit).</summary>
    public long CacheShare { get; }

    /// <summary>What caches are trimmed to when the limit is reached (<see cref="RelayLimitsOptions.CacheTrimPercent"/>).</summary>
    public long CacheTrimTarget { get; }

    /// <summary>True while <see cref="Used"/> is above <see cref="Limit"/>.</summary>
    public bool IsOverLimit => Used > Limit;

    /// <summary>Claims <paramref name="bytes"/> for a cache; false (nothing claimed) when that would pass the cache share.</summary>
    public bool TryClaimCache(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var current = Volatile.Read(ref _cacheBytes);
        while (true)
        {
            if (current + bytes > CacheShare)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _cacheBytes, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Gives back bytes claimed with <see cref="TryClaimCache"/>.</summary>
    public void ReleaseCache(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _cacheBytes, -bytes);
    }

    /// <summary>
    /// Claims <paramref name="bytes"/> for a transient buffer that data from the network fills (a descriptor upload
    /// still arriving); false (nothing claimed) when the relay would then be over <see cref="Limit"/>. Buffers cannot be
    /// trimmed: whoever holds one gives it up when its work ends or fails, so new work is refused at the limit instead.
    /// </summary>
    public bool TryClaimBuffer(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (QueuedBytes + CacheBytes + Interlocked.Add(ref _bufferBytes, bytes) > Limit)
        {
            Interlocked.Add(ref _bufferBytes, -bytes);
            return false;
        }

        return true;
    }

    /// <summary>Gives back bytes claimed with <see cref="TryClaimBuffer"/>.</summary>
    public void ReleaseBuffer(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _bufferBytes, -bytes);
    }

    /// <summary>
    /// Registers a cache's trimmer, called (from the monitor's thread) when the relay is above its limit and caches
    /// hold more than their share. Dispose the result to unregister.
    /// </summary>
    public IDisposable RegisterCacheTrimmer(CacheTrimmer trimmer)
    {
        ArgumentNullException.ThrowIfNull(trimmer);
        lock (_gate)
        {
            _trimmers = [.. _trimmers, trimmer];
        }

        return new Registration(this, trimmer);
    }

    internal CacheTrimmer[] Trimmers => Volatile.Read(ref _trimmers);

    private static RelayLimitsOptions Unwrap(IOptions<RelayLimitsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Value;
    }

    private static Func<long> QueuedBytesOf(LinkRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return () => runtime.QueuedBytes;
    }

    private void Unregister(CacheTrimmer trimmer)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_trimmers, trimmer);
            if (index >= 0)
            {
                _trimmers = [.. _trimmers[..index], .. _trimmers[(index + 1)..]];
            }
        }
    }

    private sealed class Registration(MemoryQuota owner, CacheTrimmer trimmer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unregister(trimmer);
            }
        }
    }
}
