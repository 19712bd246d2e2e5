using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.HiddenPoints;
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

    /// <summary>The signing certificate has expired at the network's time (the consensus valid-after).</summary>
    CertificateExpired,

    /// <summary>The lifetime is out of range (over 12 h).</summary>
    BadLifetime,

    /// <summary>
    /// A descriptor with the same or a higher revision counter is stored, or was until it was evicted and would not
    /// have expired yet (the revision floor outlives the eviction).
    /// </summary>
    OldRevision,

    /// <summary>The store is full (its share of the relay's memory limit).</summary>
    Full,

    /// <summary>
    /// This relay is not one of the blinded key's HSDirs on the ring of the consensus it holds, in either period that
    /// consensus carries a shared random value for.
    /// </summary>
    NotResponsible,

    /// <summary>The relay holds no usable consensus, so it cannot tell whether the key is its own to store.</summary>
    NoConsensus,
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
/// size, that the relay is one of the blinded key's HSDirs on the ring of the consensus it holds (given an
/// <see cref="HsDirAssignment"/>), parses the outer layer, and verifies it against the blinded key it is stored under
/// (certificate signed by and naming that key, not expired at the network's time, descriptor signature by the certified
/// key); the lifetime (30–720 minutes) is checked by the parser. A descriptor replaces a stored one only with a
/// strictly higher revision counter. Entries expire at store time plus their lifetime. Thread-safe: circuit reactors
/// call it concurrently. Keyed by the blinded key through <see cref="Ed25519PublicKey"/>'s hash, which is seeded at
/// random per process, so that nobody can choose keys that collide. Parsing and signature checks run outside the lock;
/// only the table update runs inside it.
/// </summary>
/// <remarks>
/// <para><b>Eviction.</b> When a descriptor does not fit, entries go in this order: first those the ring no longer
/// assigns to this relay (closest to expiry first), then the ones the ring does assign, <b>most recently arrived
/// first</b> (ties: closest to expiry). A blinded key keeps its arrival time when its host replaces it with a higher
/// revision, so a host that republishes before expiry holds its place: an upload flood, however long, only churns the
/// entries that arrived after the ones already held. An evicted entry leaves a <b>revision floor</b> (a keyed 64-bit
/// hash of its blinded key, its revision, its expiry) until it would have expired, so eviction never lets an older
/// captured revision back in; at most <see cref="MaxRevisionFloors"/> floors are kept, the one expiring first going
/// when the table is full.</para>
/// <para><b>Memory.</b> Given the relay's <see cref="MemoryQuota"/>, every entry's bytes are also claimed from the
/// caches' share of the memory limit (evicting in the order above when the share is spent), released exactly once when
/// the entry goes, and the quota may ask the store to trim itself, in the same order, when the relay is over its
/// limit.</para>
/// <para>Without an <see cref="HsDirAssignment"/> (a store outside a relay: tests, tools) every key counts as this
/// relay's and the local clock stands in for the network's time.</para>
/// </remarks>
public sealed class HsDirStore
{
    /// <summary>Bytes counted for each entry on top of its descriptor: the table, expiry index and entry objects.</summary>
    public const int EntryOverhead = 256;

    /// <summary>The most revision floors kept (about 3 MiB at most, outside the byte budget).</summary>
    public const int MaxRevisionFloors = 65_536;

    private readonly Lock _lock = new();
    private readonly Dictionary<Ed25519PublicKey, Entry> _entries = [];
    private readonly SortedSet<Entry> _byExpiry = new(EntryExpiryOrder.Instance);
    private readonly SortedSet<Entry> _byEviction = new(EntryEvictionOrder.Instance);
    private readonly Dictionary<ulong, RevisionFloor> _floors = [];
    private readonly PriorityQueue<ulong, DateTimeOffset> _floorExpiry = new();
    private readonly byte[] _floorKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly HsDirAssignment? _assignment;
    private readonly ILogger _logger;
    private readonly Counter<long>? _stored;
    private readonly Counter<long>? _refused;
    private readonly Counter<long>? _removed;
    private readonly MemoryQuota? _quota;
    private HsDirView? _evaluatedView;
    private long _bytes;
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">The byte budget; <see cref="HsDirStoreOptions.DefaultMaxBytes"/> when absent.</param>
    /// <param name="timeProvider">The clock for entry lifetimes (and certificate expiry when there is no
    /// <paramref name="assignment"/>); the system clock when absent.</param>
    /// <param name="logger">Where refusals and evictions are logged (Debug), never with a blinded key.</param>
    /// <param name="meterFactory">Where the store's metrics are created, under <see cref="RelayTelemetry.MeterName"/>; none when absent.</param>
    /// <param name="memoryQuota">
    /// The relay's memory limit: entries are claimed from its cache share and the store registers a trimmer with it.
    /// When absent only <see cref="HsDirStoreOptions.MaxBytes"/> bounds the store.
    /// </param>
    /// <param name="assignment">
    /// This relay's place on the HSDir ring: descriptors for keys it does not hold are refused, certificates are checked
    /// at the consensus valid-after, and nothing is stored without a usable consensus. When absent (tests, tools) every
    /// key is accepted and the local clock stands in for the network's time.
    /// </param>
    public HsDirStore(
        IOptions<HsDirStoreOptions>? options = null, TimeProvider? timeProvider = null, ILogger<HsDirStore>? logger = null,
        IMeterFactory? meterFactory = null, MemoryQuota? memoryQuota = null, HsDirAssignment? assignment = null)
    {
        var settings = options?.Value ?? new HsDirStoreOptions();
        settings.Validate();
        MaxBytes = settings.MaxBytes;
        _time = timeProvider ?? TimeProvider.System;
        _assignment = assignment;
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

    /// <summary>Revision floors held for evicted entries that would not have expired yet.</summary>
    public int RevisionFloors
    {
        get
        {
            lock (_lock)
            {
                return _floors.Count;
            }
        }
    }

    /// <summary>Stores <paramref name="descriptor"/> under <paramref name="blindedKey"/> after every check.</summary>
    /// <param name="blindedKey">KP_hs_blind_id the uploader names (32 bytes).</param>
    /// <param name="descriptor">The descriptor as uploaded.</param>
    /// <returns><see cref="HsDirStoreResult.Stored"/>, or why not.</returns>
    public HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor)
    {
        var result = Check(blindedKey, descriptor, out var verified, out var view);
        if (result == HsDirStoreResult.Stored)
        {
            result = Insert(verified!, descriptor, view);
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

    /// <summary>Drops every entry whose lifetime has run out, and the revision floors of evicted entries that would
    /// have by now; the relay calls it periodically.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveExpired()
    {
        int removed;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            removed = RemoveExpiredLocked(now);
            RemoveExpiredFloors(now);
        }

        if (removed > 0)
        {
            _removed?.Add(removed, new KeyValuePair<string, object?>("reason", "expired"));
            HsDirLog.Expired(_logger, removed);
        }

        return removed;
    }

    // Cheapest checks first: the ring needs a few hashes, the parser reads up to 50 KB, the signatures cost the most.
    private HsDirStoreResult Check(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor, out HsDescriptor? verified, out HsDirView? view)
    {
        verified = null;
        view = null;
        if (descriptor.Length > HsDescriptorFormat.MaxSize)
        {
            return HsDirStoreResult.TooLarge;
        }

        if (blindedKey.Length != BlindedPublicKey.Length)
        {
            return HsDirStoreResult.Malformed;
        }

        if (_assignment is not null && !_assignment.TryGetView(out view))
        {
            return HsDirStoreResult.NoConsensus;
        }

        if (!BlindedPublicKey.TryCreate(blindedKey, out var key))
        {
            return HsDirStoreResult.WrongBlindedKey;
        }

        if (view is not null && !view.AcceptsUpload(_assignment!.Self, key!))
        {
            return HsDirStoreResult.NotResponsible;
        }

        if (!HsDescriptorParser.TryParse(descriptor, out var unverified, out var error))
        {
            return error.Kind == HsDescriptorErrorKind.BadLifetime ? HsDirStoreResult.BadLifetime : HsDirStoreResult.Malformed;
        }

        // The network's clock (DESIGN §2): a relay whose own clock is off must not refuse, or keep, what the rest of the
        // network decides otherwise about.
        var networkTime = view?.NetworkTime ?? _time.GetUtcNow();
        if (!unverified.TryVerify(key!, networkTime, out verified, out error))
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

    private HsDirStoreResult Insert(HsDescriptor verified, ReadOnlySpan<byte> descriptor, HsDirView? view)
    {
        var size = (long)descriptor.Length + EntryOverhead;
        if (size > MaxBytes)
        {
            return HsDirStoreResult.Full;
        }

        var blindedKey = verified.BlindedKey;
        var key = blindedKey.Key;
        var floorId = FloorId(blindedKey.Bytes);
        var document = descriptor.ToArray();
        int expired, evicted = 0, evictedForQuota = 0;
        var result = HsDirStoreResult.Stored;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            expired = RemoveExpiredLocked(now);
            RemoveExpiredFloors(now);
            Reevaluate(view);
            var arrived = now;
            if (_entries.TryGetValue(key, out var existing))
            {
                if (verified.RevisionCounter <= existing.Revision)
                {
                    return HsDirStoreResult.OldRevision;
                }

                // The host's republication keeps the key's place in the eviction order.
                arrived = existing.Arrived;
                Remove(existing);
            }
            else if (_floors.TryGetValue(floorId, out var floor) && verified.RevisionCounter <= floor.Revision)
            {
                return HsDirStoreResult.OldRevision;
            }

            while (_bytes + size > MaxBytes && _byEviction.Min is { } victim)
            {
                Evict(victim);
                evicted++;
            }

            // The same again for the caches' share of the memory limit, which other caches draw on too: when evicting
            // everything this store holds does not make room, the descriptor is refused.
            while (_quota is not null && !_quota.TryClaimCache(size))
            {
                if (_byEviction.Min is not { } victim)
                {
                    result = HsDirStoreResult.Full;
                    break;
                }

                Evict(victim);
                evictedForQuota++;
            }

            if (result == HsDirStoreResult.Stored)
            {
                // Check found the key on this relay's part of the ring (or there is no ring to ask).
                var entry = new Entry(blindedKey, document, arrived, now + verified.Lifetime, verified.RevisionCounter, _sequence++)
                {
                    Responsible = true,
                };
                _entries.Add(key, entry);
                _byExpiry.Add(entry);
                _byEviction.Add(entry);
                _bytes += entry.Size;

                // The entry holds the revision now; a floor would only be older.
                _floors.Remove(floorId);
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
    /// The store's <see cref="CacheTrimmer"/>: evicts in eviction order (entries the ring no longer assigns here first,
    /// then the most recently arrived) until at least <paramref name="bytesToFree"/> bytes are released (or the store
    /// is empty).
    /// </summary>
    /// <returns>The bytes released to the quota.</returns>
    internal long Trim(long bytesToFree)
    {
        HsDirView? view = null;
        _assignment?.TryGetView(out view);
        long freed = 0;
        var evicted = 0;
        lock (_lock)
        {
            Reevaluate(view);
            while (freed < bytesToFree && _byEviction.Min is { } victim)
            {
                Evict(victim);
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

    // Under _lock. A new consensus can move entries off this relay's part of the ring (a new period, relays that came
    // or went): they become the first to evict. Once per consensus, a few hashes per entry.
    private void Reevaluate(HsDirView? view)
    {
        if (view is null || _assignment is null || ReferenceEquals(view, _evaluatedView))
        {
            return;
        }

        if (_evaluatedView is not null && view.NetworkTime < _evaluatedView.NetworkTime)
        {
            // A check that started before a newer consensus arrived: the newer one has been applied already.
            return;
        }

        _evaluatedView = view;
        List<Entry>? moved = null;
        foreach (var entry in _entries.Values)
        {
            if (view.AcceptsUpload(_assignment.Self, entry.BlindedKey) != entry.Responsible)
            {
                (moved ??= []).Add(entry);
            }
        }

        if (moved is null)
        {
            return;
        }

        foreach (var entry in moved)
        {
            // The eviction order sorts on the flag: take the entry out before changing it.
            _byEviction.Remove(entry);
            entry.Responsible = !entry.Responsible;
            _byEviction.Add(entry);
        }
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

    // Under _lock: evicts an entry that has not expired, leaving its revision as a floor until it would have.
    private void Evict(Entry entry)
    {
        Remove(entry);
        var id = FloorId(entry.BlindedKey.Bytes);
        if (_floors.TryGetValue(id, out var existing))
        {
            _floors[id] = new RevisionFloor(Math.Max(existing.Revision, entry.Revision), existing.Expires > entry.Expires ? existing.Expires : entry.Expires);
        }
        else
        {
            while (_floors.Count >= MaxRevisionFloors && _floorExpiry.TryDequeue(out var soonest, out var expires))
            {
                if (_floors.TryGetValue(soonest, out var floor) && floor.Expires == expires)
                {
                    _floors.Remove(soonest);
                }
            }

            _floors[id] = new RevisionFloor(entry.Revision, entry.Expires);
        }

        _floorExpiry.Enqueue(id, _floors[id].Expires);
        CompactFloorQueue();
    }

    // Under _lock. The queue keeps stale items (floors replaced or removed since): they are skipped here.
    private void RemoveExpiredFloors(DateTimeOffset now)
    {
        while (_floorExpiry.TryPeek(out var id, out var expires) && expires <= now)
        {
            _floorExpiry.Dequeue();
            if (_floors.TryGetValue(id, out var floor) && floor.Expires <= now)
            {
                _floors.Remove(id);
            }
        }
    }

    // Under _lock. Stale queue items are dropped when they come due; a queue much longer than the table is rebuilt, so
    // that floors replaced again and again cannot grow it without bound.
    private void CompactFloorQueue()
    {
        if (_floorExpiry.Count <= (2 * _floors.Count) + 1024)
        {
            return;
        }

        _floorExpiry.Clear();
        foreach (var (id, floor) in _floors)
        {
            _floorExpiry.Enqueue(id, floor.Expires);
        }
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _byExpiry.Remove(entry);
        _byEviction.Remove(entry);
        _bytes -= entry.Size;

        // Every entry leaves the table through here exactly once, so its claim is given back exactly once.
        _quota?.ReleaseCache(entry.Size);
    }

    // A keyed 64-bit digest of a blinded key: floors stay small, and nobody who does not know the process's random key
    // can make two blinded keys share one.
    private ulong FloorId(ReadOnlySpan<byte> blindedKey)
    {
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_floorKey, blindedKey, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
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
        HsDirStoreResult.NotResponsible => "not_responsible",
        HsDirStoreResult.NoConsensus => "no_consensus",
        _ => "other",
    };

    private readonly record struct RevisionFloor(ulong Revision, DateTimeOffset Expires);

    private sealed class Entry(BlindedPublicKey blindedKey, byte[] document, DateTimeOffset arrived, DateTimeOffset expires, ulong revision, long sequence)
    {
        public BlindedPublicKey BlindedKey { get; } = blindedKey;

        public Ed25519PublicKey Key => BlindedKey.Key;

        public byte[] Document { get; } = document;

        /// <summary>When the blinded key was first stored; kept across replacements by higher revisions.</summary>
        public DateTimeOffset Arrived { get; } = arrived;

        public DateTimeOffset Expires { get; } = expires;

        public ulong Revision { get; } = revision;

        // Breaks ties between equal times, so that each index holds every entry.
        public long Sequence { get; } = sequence;

        /// <summary>Whether the ring of the consensus last applied assigns the key to this relay.</summary>
        public bool Responsible { get; set; }

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

    /// <summary>
    /// The order entries are evicted in: entries the ring does not assign here first, closest to expiry first; then
    /// the assigned ones, most recently arrived first (arrivals at the same instant: closest to expiry, then the one
    /// stored last).
    /// </summary>
    private sealed class EntryEvictionOrder : IComparer<Entry>
    {
        public static readonly EntryEvictionOrder Instance = new();

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

            if (x.Responsible != y.Responsible)
            {
                return x.Responsible ? 1 : -1;
            }

            if (!x.Responsible)
            {
                var expiry = x.Expires.CompareTo(y.Expires);
                return expiry != 0 ? expiry : x.Sequence.CompareTo(y.Sequence);
            }

            var order = y.Arrived.CompareTo(x.Arrived);
            if (order == 0)
            {
                order = x.Expires.CompareTo(y.Expires);
            }

            return order != 0 ? order : y.Sequence.CompareTo(x.Sequence);
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
