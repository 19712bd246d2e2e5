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

    /// <summary>How long ago a descriptor may have been published.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Uploads accepted from one source address per <see cref="RateWindow"/>.</summary>
    public int UploadsPerWindow { get; init; } = 20;

    /// <summary>The rate-limit window.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most relays held; protects memory from a flood of fresh identities.</summary>
    public int MaxRelays { get; init; } = 20_000;

    /// <summary>Most source addresses tracked by the rate limiter at once.</summary>
    public int MaxTrackedSources { get; init; } = 100_000;

    /// <summary>Most relays listed per IP address (their addresses' IPs, not the upload source).</summary>
    public int MaxRelaysPerAddress { get; init; } = 2;
}

/// <summary>A descriptor the store holds, with when the authority first saw its relay.</summary>
/// <param name="Descriptor">The latest accepted descriptor.</param>
/// <param name="FirstSeen">When the relay's first descriptor was accepted.</param>
public sealed record StoredDescriptor(RelayDescriptor Descriptor, DateTimeOffset FirstSeen)
{
    /// <summary>The descriptor's digest, which this authority's vote names.</summary>
    public DescriptorDigest Digest { get; } = DescriptorDigest.Of(Descriptor.Document.Span);
}

/// <summary>
/// The authority's set of relay descriptors: checks each upload (size, signature, freshness, rate per source
/// address) and keeps the latest descriptor per relay. Thread-safe; in memory (callers persist
/// <see cref="Snapshot"/>).
/// </summary>
public sealed class DescriptorStore
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<RelayId, StoredDescriptor> _relays = [];
    private readonly Dictionary<IPAddress, (DateTimeOffset WindowStart, int Count)> _uploads = [];

    /// <summary>Creates an empty store.</summary>
    public DescriptorStore(DescriptorStoreOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        Options = options;
        _clock = clock;
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

    /// <summary>Checks an upload from <paramref name="source"/> and keeps it when every check holds.</summary>
    public DescriptorSubmission Submit(ReadOnlySpan<byte> document, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            // The rate limit is charged before any expensive work, so a flood of junk costs its sender.
            if (!TryCharge(source, now))
            {
                return Reject(DescriptorRejection.RateLimited);
            }
        }

        return Add(document, now, firstSeen: null);
    }

    /// <summary>Restores a descriptor from saved state: every check but the rate limit applies.</summary>
    public DescriptorSubmission Restore(ReadOnlySpan<byte> document, DateTimeOffset firstSeen) =>
        Add(document, _clock.GetUtcNow(), firstSeen);

    /// <summary>Every held descriptor, sorted by identity bytes.</summary>
    public IReadOnlyList<StoredDescriptor> Snapshot()
    {
        lock (_lock)
        {
            var all = _relays.Values.ToArray();
            Array.Sort(all, static (a, b) => a.Descriptor.Identity.Key.Bytes.SequenceCompareTo(b.Descriptor.Identity.Key.Bytes));
            return all;
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

    private DescriptorSubmission Add(ReadOnlySpan<byte> document, DateTimeOffset now, DateTimeOffset? firstSeen)
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
                if (held.Descriptor.Published >= descriptor.Published)
                {
                    return Reject(DescriptorRejection.NotNewer);
                }

                _relays[descriptor.Identity] = new(descriptor, firstSeen is { } restored && restored < held.FirstSeen ? restored : held.FirstSeen);
            }
            else
            {
                if (_relays.Count >= Options.MaxRelays)
                {
                    return Reject(DescriptorRejection.StoreFull);
                }

                _relays[descriptor.Identity] = new(descriptor, firstSeen ?? now);
            }
        }

        return new(DescriptorRejection.None, descriptor, default);
    }

    // The authority applies its own window to the publishing time, so this takes the value out of the bound at an
    // instant inside it; a bound that is empty (certificates expiring before the skew allowance) gives null.
    private static RelayDescriptor? Unwrap(TimeBound<RelayDescriptor> bound)
    {
        var check = bound.CheckValidAt(bound.ValidFrom);
        return check.IsUsable ? check.Value : null;
    }

    private bool TryCharge(IPAddress source, DateTimeOffset now)
    {
        if (_uploads.TryGetValue(source, out var entry) && now - entry.WindowStart < Options.RateWindow)
        {
            if (entry.Count >= Options.UploadsPerWindow)
            {
                return false;
            }

            _uploads[source] = (entry.WindowStart, entry.Count + 1);
            return true;
        }

        if (_uploads.Count >= Options.MaxTrackedSources)
        {
            // Forget windows that have ended; if every tracked source is still inside its window, refuse newcomers
            // rather than grow without bound.
            foreach (var expired in _uploads.Where(u => now - u.Value.WindowStart >= Options.RateWindow).Select(u => u.Key).ToArray())
            {
                _uploads.Remove(expired);
            }

            if (_uploads.Count >= Options.MaxTrackedSources)
            {
                return false;
            }
        }

        _uploads[source] = (now, 1);
        return Options.UploadsPerWindow > 0;
    }

    private static DescriptorSubmission Reject(DescriptorRejection rejection) => new(rejection, null, default);
}
