using System.Diagnostics.Metrics;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>Why an HSDir refused a hidden-point descriptor (or that it stored it).</summary>
public enum HsDirStoreResult
{
    /// <summary>Stored (or replaced an older revision).</summary>
    Stored = 0,

    /// <summary>Not a well-formed descriptor (outer layer or certificate), or a blinded key that is not 32 bytes.</summary>
    Malformed,

    /// <summary>Larger than the limit (50 000 bytes).</summary>
    TooLarge,

    /// <summary>The certificate is not by the blinded key the descriptor was stored under (or that key is not a valid point).</summary>
    WrongBlindedKey,

    /// <summary>The descriptor-signing certificate or the descriptor signature does not verify.</summary>
    BadSignature,

    /// <summary>The signing certificate has expired (or is not valid yet).</summary>
    CertificateExpired,

    /// <summary>The lifetime is out of range (over 12 h).</summary>
    BadLifetime,

    /// <summary>A descriptor with the same or a higher revision counter is already stored.</summary>
    OldRevision,

    /// <summary>The store is full (its share of the relay's memory limit).</summary>
    Full,
}

/// <summary>Settings of the HSDir's descriptor store.</summary>
public sealed class HsDirStoreOptions
{
    /// <summary>The default byte budget: 20 MiB.</summary>
    public const long DefaultMaxBytes = 20L * 1024 * 1024;

    /// <summary>Smallest budget accepted: room for a few descriptors of the largest size.</summary>
    public const long MinMaxBytes = 4L * (HsDescriptorFormat.MaxSize + HsDirStore.EntryOverhead);

    /// <summary>Largest budget accepted: 4 GiB.</summary>
    public const long MaxMaxBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>Shortest sweep interval accepted: one second.</summary>
    public static readonly TimeSpan MinSweepInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longest sweep interval accepted: one hour.</summary>
    public static readonly TimeSpan MaxSweepInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// The most bytes the store holds, counting each descriptor's length plus <see cref="HsDirStore.EntryOverhead"/>.
    /// When a new descriptor does not fit, the descriptors closest to expiry are evicted first. Default 20 MiB
    /// (about 1 500 descriptors of typical size); range <see cref="MinMaxBytes"/> to 4 GiB.
    /// </summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>
    /// How often <see cref="HsDirSweeper"/> drops expired descriptors, so that an HSDir nobody queries still gives
    /// their bytes back. Default one minute; range one second to one hour.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every value out of range, each message naming its option; empty when all are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxBytes is < MinMaxBytes or > MaxMaxBytes)
        {
            problems.Add($"HsDirStoreOptions.{nameof(MaxBytes)} is {MaxBytes}; it must be between {MinMaxBytes} and {MaxMaxBytes}.");
        }

        if (SweepInterval < MinSweepInterval || SweepInterval > MaxSweepInterval)
        {
            problems.Add($"HsDirStoreOptions.{nameof(SweepInterval)} is {SweepInterval}; it must be between {MinSweepInterval} and {MaxSweepInterval}.");
        }

        return problems;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming the option when a value is out of range.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(HsDirStoreOptions), typeof(HsDirStoreOptions), problems);
        }
    }
}

/// <summary>
/// The HSDir's descriptor store (docs/hidden-point-descriptor.md §7). Before it keeps a descriptor it checks the
/// size, parses the outer layer, and verifies it against the blinded key it is stored under (certificate signed by
/// and naming that key, not expired now, descriptor signature by the certified key); the lifetime (30–720 minutes)
/// is checked by the parser. A descriptor replaces a stored one only with a strictly higher revision counter. Entries
/// expire at store time plus their lifetime. Thread-safe: circuit reactors call it concurrently. Keyed by the blinded
/// key through <see cref="Ed25519PublicKey"/>'s hash, which is seeded at random per process, so that nobody can choose
/// keys that collide. Parsing and signature checks run outside the lock; only the table update runs inside it.
/// Given the relay's <see cref="MemoryQuota"/>, every entry's bytes are also claimed from the caches' share of the
/// memory limit (evicting the entries closest to expiry when the share is spent), released exactly once when the entry
/// goes, and the quota may ask the store to trim itself when the relay is over its limit.
/// </summary>
public sealed class HsDirStore
{
    /// <summary>Bytes counted for each entry on top of its descriptor: the table, expiry index and entry objects.</summary>
    public const int EntryOverhead = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<Ed25519PublicKey, Entry> _entries = [];
    private readonly SortedSet<Entry> _byExpiry = new(EntryExpiryOrder.Instance);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long>? _stored;
    private readonly Counter<long>? _refused;
    private readonly Counter<long>? _removed;
    private readonly MemoryQuota? _quota;
    private long _bytes;
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">The byte budget; <see cref="HsDirStoreOptions.DefaultMaxBytes"/> when absent.</param>
    /// <param name="timeProvider">The clock for certificate expiry and entry lifetimes; the system clock when absent.</param>
    /// <param name="logger">Where refusals and evictions are logged (Debug), never with a blinded key.</param>
    /// <param name="meterFactory">Where the store's metrics are created, under <see cref="RelayTelemetry.MeterName"/>; none when absent.</param>
    /// <param name="memoryQuota">
    /// The relay's memory limit: entries are claimed from its cache share and the store registers a trimmer with it.
    /// When absent only <see cref="HsDirStoreOptions.MaxBytes"/> bounds the store.
    /// </param>
    public HsDirStore(
        IOptions<HsDirStoreOptions>? options = null, TimeProvider? timeProvider = null, ILogger<HsDirStore>? logger = null,
        IMeterFactory? meterFactory = null, MemoryQuota? memoryQuota = null)
    {
        var settings = options?.Value ?? new HsDirStoreOptions();
        settings.Validate();
        MaxBytes = settings.MaxBytes;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(RelayTelemetry.MeterName);
            _stored = meter.CreateCounter<long>("hpc.hsdir.descriptors.stored", "{descriptor}", "Hidden-point descriptors stored, new or replacing a lower revision.");
            _refused = meter.CreateCounter<long>("hpc.hsdir.descriptors.refused", "{descriptor}", "Hidden-point descriptor uploads refused, by reason.");
            _removed = meter.CreateCounter<long>("hpc.hsdir.descriptors.removed", "{descriptor}", "Stored descriptors dropped, by reason (expired, evicted).");
            meter.CreateObservableGauge("hpc.hsdir.descriptors.held", () => (long)Count, "{descriptor}", "Hidden-point descriptors held.");
            meter.CreateObservableGauge("hpc.hsdir.bytes.held", () => Bytes, "By", "Bytes the descriptor store holds, overhead included.");
        }

        if (memoryQuota is not null)
        {
            _quota = memoryQuota;

            // The store lives as long as the quota (both are the relay's singletons), so the registration is never undone.
            _ = memoryQuota.RegisterCacheTrimmer(Trim);
        }
    }

    /// <summary>The byte budget.</summary>
    public long MaxBytes { get; }

    /// <summary>Descriptors held (expired ones not yet swept included).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Bytes held: each descriptor's length plus <see cref="EntryOverhead"/>.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Stores <paramref name="descriptor"/> under <paramref name="blindedKey"/> after every check.</summary>
    /// <param name="blindedKey">KP_hs_blind_id the uploader names (32 bytes).</param>
    /// <param name="descriptor">The descriptor as uploaded.</param>
    /// <returns><see cref="HsDirStoreResult.Stored"/>, or why not.</returns>
    public HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor)
    {
        var result = Check(blindedKey, descriptor, out var verified);
        if (result == HsDirStoreResult.Stored)
        {
            result = Insert(verified!, descriptor);
        }

        if (result == HsDirStoreResult.Stored)
        {
            _stored?.Add(1);
            HsDirLog.Stored(_logger, descriptor.Length);
        }
        else
        {
            _refused?.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(result)));
            HsDirLog.Refused(_logger, result);
        }

        return result;
    }

    /// <summary>The stored descriptor for <paramref name="blindedKey"/>, if any and not expired.</summary>
    public bool TryFetch(ReadOnlySpan<byte> blindedKey, out ReadOnlyMemory<byte> descriptor)
    {
        descriptor = default;
        if (blindedKey.Length != BlindedPublicKey.Length)
        {
            return false;
        }

        var key = Ed25519PublicKey.FromBytes(blindedKey);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return false;
            }

            if (entry.Expires <= now)
            {
                Remove(entry);
                _removed?.Add(1, new KeyValuePair<string, object?>("reason", "expired"));
                return false;
            }

            // Stored arrays are never written after insertion, so handing one out is safe.
            descriptor = entry.Document;
            return true;
        }
    }

    /// <summary>Drops every entry whose lifetime has run out; the relay calls it periodically.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveExpired()
    {
        int removed;
        lock (_lock)
        {
            removed = RemoveExpiredLocked(_time.GetUtcNow());
        }

        if (removed > 0)
        {
            _removed?.Add(removed, new KeyValuePair<string, object?>("reason", "expired"));
            HsDirLog.Expired(_logger, removed);
        }

        return removed;
    }

    private HsDirStoreResult Check(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor, out HsDescriptor? verified)
    {
        verified = null;
        if (descriptor.Length > HsDescriptorFormat.MaxSize)
        {
            return HsDirStoreResult.TooLarge;
        }

        if (blindedKey.Length != BlindedPublicKey.Length)
        {
            return HsDirStoreResult.Malformed;
        }

        if (!HsDescriptorParser.TryParse(descriptor, out var unverified, out var error))
        {
            return error.Kind == HsDescriptorErrorKind.BadLifetime ? HsDirStoreResult.BadLifetime : HsDirStoreResult.Malformed;
        }

        if (!BlindedPublicKey.TryCreate(blindedKey, out var key))
        {
            return HsDirStoreResult.WrongBlindedKey;
        }

        if (!unverified.TryVerify(key!, _time.GetUtcNow(), out verified, out error))
        {
            return error.Kind switch
            {
                HsDescriptorErrorKind.WrongBlindedKey => HsDirStoreResult.WrongBlindedKey,
                HsDescriptorErrorKind.CertificateExpired => HsDirStoreResult.CertificateExpired,
                _ => HsDirStoreResult.BadSignature,
            };
        }

        // The parser already holds the lifetime to 30–720 minutes; kept here so the store never relies on it silently.
        return verified.LifetimeMinutes is < HsDescriptorFormat.MinLifetimeMinutes or > HsDescriptorFormat.MaxLifetimeMinutes
            ? HsDirStoreResult.BadLifetime
            : HsDirStoreResult.Stored;
    }

    private HsDirStoreResult Insert(HsDescriptor verified, ReadOnlySpan<byte> descriptor)
    {
        var size = (long)descriptor.Length + EntryOverhead;
        if (size > MaxBytes)
        {
            return HsDirStoreResult.Full;
        }

        var key = verified.BlindedKey.Key;
        var document = descriptor.ToArray();
        int expired, evicted = 0, evictedForQuota = 0;
        var result = HsDirStoreResult.Stored;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            expired = RemoveExpiredLocked(now);
            if (_entries.TryGetValue(key, out var existing))
            {
                if (verified.RevisionCounter <= existing.Revision)
                {
                    return HsDirStoreResult.OldRevision;
                }

                Remove(existing);
            }

            // Make room by evicting the entries closest to expiry: they have the least useful life left.
            while (_bytes + size > MaxBytes && _byExpiry.Min is { } victim)
            {
                Remove(victim);
                evicted++;
            }

            // The same again for the caches' share of the memory limit, which other caches draw on too: when evicting
            // everything this store holds does not make room, the descriptor is refused.
            while (_quota is not null && !_quota.TryClaimCache(size))
            {
                if (_byExpiry.Min is not { } victim)
                {
                    result = HsDirStoreResult.Full;
                    break;
                }

                Remove(victim);
                evictedForQuota++;
            }

            if (result == HsDirStoreResult.Stored)
            {
                var entry = new Entry(key, document, now + verified.Lifetime, verified.RevisionCounter, _sequence++);
                _entries.Add(key, entry);
                _byExpiry.Add(entry);
                _bytes += entry.Size;
            }
        }

        if (expired > 0)
        {
            _removed?.Add(expired, new KeyValuePair<string, object?>("reason", "expired"));
        }

        if (evicted > 0)
        {
            _removed?.Add(evicted, new KeyValuePair<string, object?>("reason", "evicted"));
            HsDirLog.Evicted(_logger, evicted, MaxBytes);
        }

        if (evictedForQuota > 0)
        {
            _removed?.Add(evictedForQuota, new KeyValuePair<string, object?>("reason", "evicted"));
            HsDirLog.EvictedForMemoryLimit(_logger, evictedForQuota);
        }

        return result;
    }

    /// <summary>
    /// The store's <see cref="CacheTrimmer"/>: evicts the entries closest to expiry until at least
    /// <paramref name="bytesToFree"/> bytes are released (or the store is empty).
    /// </summary>
    /// <returns>The bytes released to the quota.</returns>
    internal long Trim(long bytesToFree)
    {
        long freed = 0;
        var evicted = 0;
        lock (_lock)
        {
            while (freed < bytesToFree && _byExpiry.Min is { } victim)
            {
                Remove(victim);
                freed += victim.Size;
                evicted++;
            }
        }

        if (evicted > 0)
        {
            _removed?.Add(evicted, new KeyValuePair<string, object?>("reason", "evicted"));
            HsDirLog.EvictedForMemoryLimit(_logger, evicted);
        }

        return freed;
    }

    private int RemoveExpiredLocked(DateTimeOffset now)
    {
        var removed = 0;
        while (_byExpiry.Min is { } first && first.Expires <= now)
        {
            Remove(first);
            removed++;
        }

        return removed;
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _byExpiry.Remove(entry);
        _bytes -= entry.Size;

        // Every entry leaves the table through here exactly once, so its claim is given back exactly once.
        _quota?.ReleaseCache(entry.Size);
    }

    private static string ReasonTag(HsDirStoreResult result) => result switch
    {
        HsDirStoreResult.Malformed => "malformed",
        HsDirStoreResult.TooLarge => "too_large",
        HsDirStoreResult.WrongBlindedKey => "wrong_blinded_key",
        HsDirStoreResult.BadSignature => "bad_signature",
        HsDirStoreResult.CertificateExpired => "certificate_expired",
        HsDirStoreResult.BadLifetime => "bad_lifetime",
        HsDirStoreResult.OldRevision => "old_revision",
        HsDirStoreResult.Full => "full",
        _ => "other",
    };

    private sealed class Entry(Ed25519PublicKey key, byte[] document, DateTimeOffset expires, ulong revision, long sequence)
    {
        public Ed25519PublicKey Key { get; } = key;

        public byte[] Document { get; } = document;

        public DateTimeOffset Expires { get; } = expires;

        public ulong Revision { get; } = revision;

        // Breaks ties between equal expiry times, so that the expiry index holds every entry.
        public long Sequence { get; } = sequence;

        public long Size => Document.Length + EntryOverhead;
    }

    private sealed class EntryExpiryOrder : IComparer<Entry>
    {
        public static readonly EntryExpiryOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var order = x.Expires.CompareTo(y.Expires);
            return order != 0 ? order : x.Sequence.CompareTo(y.Sequence);
        }
    }
}

/// <summary>The descriptor store's log events (4100–4199). No blinded key, hidden-id or uploader is ever logged.</summary>
internal static partial class HsDirLog
{
    [LoggerMessage(4101, LogLevel.Debug, "Stored a hidden-point descriptor of {Length} bytes", EventName = "HsDirStored")]
    public static partial void Stored(ILogger logger, int length);

    [LoggerMessage(4102, LogLevel.Debug, "Refused a hidden-point descriptor: {Reason}", EventName = "HsDirRefused")]
    public static partial void Refused(ILogger logger, HsDirStoreResult reason);

    [LoggerMessage(4103, LogLevel.Debug, "Evicted {Count} hidden-point descriptors closest to expiry to stay within {MaxBytes} bytes", EventName = "HsDirEvicted")]
    public static partial void Evicted(ILogger logger, int count, long maxBytes);

    [LoggerMessage(4104, LogLevel.Debug, "Dropped {Count} expired hidden-point descriptors", EventName = "HsDirExpired")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(4105, LogLevel.Debug, "Evicted {Count} hidden-point descriptors closest to expiry for the relay's memory limit", EventName = "HsDirEvictedForMemoryLimit")]
    public static partial void EvictedForMemoryLimit(ILogger logger, int count);
}
