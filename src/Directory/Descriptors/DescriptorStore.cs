using System.Diagnostics.CodeAnalysis;
using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Descriptors;

/// <summary>Why an uploaded descriptor was refused.</summary>
public enum DescriptorRejection
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Larger than the store's size limit.</summary>
    TooLarge,

    /// <summary>Does not parse (<see cref="DescriptorSubmission.ParseError"/> says why).</summary>
    Malformed,

    /// <summary>The descriptor signature does not verify under its identity.</summary>
    BadSignature,

    /// <summary>A key certificate does not verify.</summary>
    BadCertificate,

    /// <summary>Published further ahead of the authority's clock than allowed (12 h by default).</summary>
    PublishedInFuture,

    /// <summary>Published longer ago than allowed (24 h by default).</summary>
    TooOld,

    /// <summary>A key certificate has expired.</summary>
    KeysExpired,

    /// <summary>The store already holds a descriptor of this relay published at the same time or later.</summary>
    NotNewer,

    /// <summary>The source address has uploaded too many descriptors in the current window.</summary>
    RateLimited,

    /// <summary>The store holds its maximum number of relays.</summary>
    StoreFull,
}

/// <summary>The outcome of <see cref="DescriptorStore.Submit"/>.</summary>
/// <param name="Rejection">Why it was refused, or <see cref="DescriptorRejection.None"/>.</param>
/// <param name="Descriptor">The accepted descriptor.</param>
/// <param name="ParseError">The parser's error for <see cref="DescriptorRejection.Malformed"/>.</param>
public sealed record DescriptorSubmission(DescriptorRejection Rejection, RelayDescriptor? Descriptor, DocumentError ParseError)
{
    /// <summary>Whether the descriptor was accepted.</summary>
    [MemberNotNullWhen(true, nameof(Descriptor))]
    public bool IsAccepted => Rejection == DescriptorRejection.None && Descriptor is not null;
}

/// <summary>Limits of a <see cref="DescriptorStore"/>.</summary>
public sealed record DescriptorStoreOptions
{
    /// <summary>Largest descriptor accepted (bytes).</summary>
    public int MaxSize { get; init; } = RelayDescriptor.MaxSize;

    /// <summary>How far ahead of the authority's clock a descriptor may be published.</summary>
    public TimeSpan MaxFuture { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How long ago a descriptor may have been published; older ones are refused, and dropped when held.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Uploads accepted from one source per <see cref="RateWindow"/> (an IPv4 address, or an IPv6 /64).</summary>
    public int UploadsPerWindow { get; init; } = 20;

    /// <summary>The rate-limit window.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most relays held; protects memory from a flood of fresh identities. When full, a new relay takes the place of
    /// an expired one, else of one never found reachable; it is refused only when every held relay has been.
    /// </summary>
    public int MaxRelays { get; init; } = 20_000;

    /// <summary>
    /// Most upload sources tracked by the rate limiter at once (about 40 bytes each). When full, sources whose window
    /// ended are forgotten first, then sources below their limit: a newcomer is never refused for want of room.
    /// </summary>
    public int MaxTrackedSources { get; init; } = 100_000;

    /// <summary>Most relays listed per IP address (their addresses' IPs, not the upload source).</summary>
    public int MaxRelaysPerAddress { get; init; } = 2;
}

/// <summary>A descriptor the store holds, with when the authority first saw its relay.</summary>
public sealed class StoredDescriptor
{
    /// <summary>Creates the record of an accepted descriptor.</summary>
    /// <param name="descriptor">The latest accepted descriptor.</param>
    /// <param name="firstSeen">When the relay's first descriptor was accepted.</param>
    public StoredDescriptor(RelayDescriptor descriptor, DateTimeOffset firstSeen)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Descriptor = descriptor;
        FirstSeen = firstSeen;
        Digest = DescriptorDigest.Of(descriptor.Document.Span);
    }

    /// <summary>The latest accepted descriptor.</summary>
    public RelayDescriptor Descriptor { get; }

    /// <summary>When the relay's first descriptor was accepted.</summary>
    public DateTimeOffset FirstSeen { get; }

    /// <summary>The descriptor's digest, which this authority's vote names.</summary>
    public DescriptorDigest Digest { get; }
}

/// <summary>
/// The authority's set of relay descriptors: checks each upload (size, signature, freshness, rate per source) and
/// keeps the latest descriptor per relay, up to <see cref="DescriptorStoreOptions.MaxRelays"/> relays. Entries past
/// the age limit are dropped (<see cref="Prune"/>); relays the reachability tests found answering
/// (<see cref="RecordReachable"/>) keep their place when the store is full, and the others give theirs up to new
/// relays. Thread-safe; in memory (callers persist <see cref="Snapshot"/>).
/// </summary>
public sealed class DescriptorStore
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<RelayId, Held> _relays = [];

    // Held relays never found reachable: the ones a new relay may displace when the store is full. Unordered, so a
    // random one is taken in O(1), and an uploader cannot predict which of them goes.
    private readonly List<Held> _unproven = [];
    private readonly UploadSources _sources;
    private DateTimeOffset _nextExpiry = DateTimeOffset.MaxValue;
    private System.Collections.ObjectModel.ReadOnlyCollection<StoredDescriptor>? _snapshot;

    /// <summary>Creates an empty store.</summary>
    public DescriptorStore(DescriptorStoreOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRelays, 1, nameof(options.MaxRelays));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTrackedSources, 1, nameof(options.MaxTrackedSources));
        Options = options;
        _clock = clock;
        _sources = new UploadSources(options);
    }

    /// <summary>The store's limits.</summary>
    public DescriptorStoreOptions Options { get; }

    /// <summary>How many relays are held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _relays.Count;
            }
        }
    }

    /// <summary>How many upload sources the rate limiter tracks (at most <see cref="DescriptorStoreOptions.MaxTrackedSources"/>).</summary>
    internal int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _sources.Count;
            }
        }
    }

    /// <summary>Checks an upload from <paramref name="source"/> and keeps it when every check holds.</summary>
    public DescriptorSubmission Submit(ReadOnlySpan<byte> document, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            // The rate limit is charged before any expensive work, so a flood of junk costs its sender.
            if (!_sources.TryCharge(source, now))
            {
                return Reject(DescriptorRejection.RateLimited);
            }
        }

        return Add(document, now, firstSeen: null, reachable: false);
    }

    /// <summary>
    /// Restores a descriptor from saved state: every check but the rate limit applies. <paramref name="reachable"/>
    /// is whether its relay had been found reachable.
    /// </summary>
    public DescriptorSubmission Restore(ReadOnlySpan<byte> document, DateTimeOffset firstSeen, bool reachable = false) =>
        Add(document, _clock.GetUtcNow(), firstSeen, reachable);

    /// <summary>
    /// Every held descriptor, sorted by identity bytes. The same immutable list is handed out until the store
    /// changes, so serving it costs no copy.
    /// </summary>
    public IReadOnlyList<StoredDescriptor> Snapshot()
    {
        lock (_lock)
        {
            if (_snapshot is null)
            {
                var all = new StoredDescriptor[_relays.Count];
                var i = 0;
                foreach (var held in _relays.Values)
                {
                    all[i++] = held.Stored;
                }

                Array.Sort(all, static (a, b) => a.Descriptor.Identity.Key.Bytes.SequenceCompareTo(b.Descriptor.Identity.Key.Bytes));
                _snapshot = Array.AsReadOnly(all);
            }

            return _snapshot;
        }
    }

    /// <summary>Whether the relay is held and has been found reachable.</summary>
    public bool IsReachable(RelayId relay)
    {
        lock (_lock)
        {
            return _relays.TryGetValue(relay, out var held) && held.Reachable;
        }
    }

    /// <summary>
    /// Marks relays that answered a reachability test: when the store is full they keep their place (until their
    /// descriptor passes the age limit), while relays never found reachable may be displaced by new ones.
    /// </summary>
    public void RecordReachable(IEnumerable<RelayId> reachable)
    {
        ArgumentNullException.ThrowIfNull(reachable);
        lock (_lock)
        {
            foreach (var relay in reachable)
            {
                if (_relays.TryGetValue(relay, out var held) && !held.Reachable)
                {
                    held.Reachable = true;
                    RemoveUnproven(held);
                }
            }
        }
    }

    /// <summary>Drops every descriptor published longer ago than the age limit; returns how many.</summary>
    public int Prune(DateTimeOffset now)
    {
        lock (_lock)
        {
            return PruneLocked(now);
        }
    }

    /// <summary>
    /// The descriptors to list in a vote at <paramref name="now"/>: those not older than the age limit, and at most
    /// <see cref="DescriptorStoreOptions.MaxRelaysPerAddress"/> relays per IP address, preferring the higher
    /// bandwidth, then the longer known, then the smaller identity, so the choice does not depend on upload order.
    /// </summary>
    public IReadOnlyList<StoredDescriptor> Listable(DateTimeOffset now)
    {
        var candidates = Snapshot().Where(d => now - d.Descriptor.Published <= Options.MaxAge).ToArray();
        Array.Sort(candidates, static (a, b) =>
        {
            var order = b.Descriptor.Bandwidth.CompareTo(a.Descriptor.Bandwidth);
            if (order == 0)
            {
                order = a.FirstSeen.CompareTo(b.FirstSeen);
            }

            return order != 0 ? order : a.Descriptor.Identity.Key.Bytes.SequenceCompareTo(b.Descriptor.Identity.Key.Bytes);
        });
        var perAddress = new Dictionary<IPAddress, int>();
        var listed = new List<StoredDescriptor>();
        foreach (var candidate in candidates)
        {
            var addresses = candidate.Descriptor.Addresses.Select(a => a.Address).Distinct().ToArray();
            if (addresses.Any(a => perAddress.GetValueOrDefault(a) >= Options.MaxRelaysPerAddress))
            {
                continue;
            }

            foreach (var address in addresses)
            {
                perAddress[address] = perAddress.GetValueOrDefault(address) + 1;
            }

            listed.Add(candidate);
        }

        return listed;
    }

    private DescriptorSubmission Add(ReadOnlySpan<byte> document, DateTimeOffset now, DateTimeOffset? firstSeen, bool reachable)
    {
        if (document.Length > Options.MaxSize)
        {
            return Reject(DescriptorRejection.TooLarge);
        }

        if (!RelayDescriptorParser.TryParse(document, out var unverified, out var parseError))
        {
            return new(DescriptorRejection.Malformed, null, parseError);
        }

        var signed = unverified.VerifySignature();
        if (!signed.IsValid)
        {
            return Reject(signed.Error == SignatureError.BadCertificate ? DescriptorRejection.BadCertificate : DescriptorRejection.BadSignature);
        }

        // Signature checked: the window is the authority's own, wider than a client's (relay clocks drift and
        // uploads are periodic), so the descriptor's own time bound is not used here.
        var descriptor = Unwrap(signed.Value);
        if (descriptor is null)
        {
            return Reject(DescriptorRejection.KeysExpired);
        }

        if (descriptor.Published - now > Options.MaxFuture)
        {
            return Reject(DescriptorRejection.PublishedInFuture);
        }

        if (now - descriptor.Published > Options.MaxAge)
        {
            return Reject(DescriptorRejection.TooOld);
        }

        if (descriptor.LinkKeyExpires <= now || descriptor.CircuitHandshakeKeyExpires <= now)
        {
            return Reject(DescriptorRejection.KeysExpired);
        }

        lock (_lock)
        {
            if (_relays.TryGetValue(descriptor.Identity, out var held))
            {
                if (held.Stored.Descriptor.Published >= descriptor.Published)
                {
                    return Reject(DescriptorRejection.NotNewer);
                }

                var kept = held.Stored.FirstSeen;
                held.Stored = new(descriptor, firstSeen is { } restored && restored < kept ? restored : kept);
                if (reachable && !held.Reachable)
                {
                    held.Reachable = true;
                    RemoveUnproven(held);
                }
            }
            else
            {
                if (_relays.Count >= Options.MaxRelays && !MakeRoomLocked(now))
                {
                    return Reject(DescriptorRejection.StoreFull);
                }

                held = new Held(new(descriptor, firstSeen ?? now)) { Reachable = reachable };
                _relays[descriptor.Identity] = held;
                if (!reachable)
                {
                    held.UnprovenSlot = _unproven.Count;
                    _unproven.Add(held);
                }
            }

            var expiry = descriptor.Published + Options.MaxAge;
            if (expiry < _nextExpiry)
            {
                _nextExpiry = expiry;
            }

            _snapshot = null;
        }

        return new(DescriptorRejection.None, descriptor, default);
    }

    // Frees one place for a new relay: first whatever passed the age limit, then a random relay never found
    // reachable. False when every held relay is fresh and has answered a reachability test.
    private bool MakeRoomLocked(DateTimeOffset now)
    {
        if (now > _nextExpiry && PruneLocked(now) > 0)
        {
            return true;
        }

        if (_unproven.Count == 0)
        {
            return false;
        }

        var victim = _unproven[Random.Shared.Next(_unproven.Count)];
        RemoveLocked(victim);
        return true;
    }

    private int PruneLocked(DateTimeOffset now)
    {
        if (now <= _nextExpiry)
        {
            return 0;
        }

        // One pass, only once something can have expired; the next expiry is found on the way.
        var expired = new List<Held>();
        var next = DateTimeOffset.MaxValue;
        foreach (var held in _relays.Values)
        {
            var expiry = held.Stored.Descriptor.Published + Options.MaxAge;
            if (now > expiry)
            {
                expired.Add(held);
            }
            else if (expiry < next)
            {
                next = expiry;
            }
        }

        foreach (var held in expired)
        {
            RemoveLocked(held);
        }

        _nextExpiry = next;
        return expired.Count;
    }

    private void RemoveLocked(Held held)
    {
        _relays.Remove(held.Stored.Descriptor.Identity);
        RemoveUnproven(held);
        _snapshot = null;
    }

    private void RemoveUnproven(Held held)
    {
        var slot = held.UnprovenSlot;
        if (slot < 0)
        {
            return;
        }

        // Swap with the last, so removal is O(1) and the list stays dense.
        var last = _unproven[^1];
        _unproven[slot] = last;
        last.UnprovenSlot = slot;
        _unproven.RemoveAt(_unproven.Count - 1);
        held.UnprovenSlot = -1;
    }

    // The authority applies its own window to the publishing time, so this takes the value out of the bound at an
    // instant inside it; a bound that is empty (certificates expiring before the skew allowance) gives null.
    private static RelayDescriptor? Unwrap(TimeBound<RelayDescriptor> bound)
    {
        var check = bound.CheckValidAt(bound.ValidFrom);
        return check.IsUsable ? check.Value : null;
    }

    private static DescriptorSubmission Reject(DescriptorRejection rejection) => new(rejection, null, default);

    // One relay's place in the store; mutated only under the store's lock.
    private sealed class Held(StoredDescriptor stored)
    {
        public StoredDescriptor Stored { get; set; } = stored;

        public bool Reachable { get; set; }

        public int UnprovenSlot { get; set; } = -1;
    }
}
