using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Storage;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Network.Directory;

/// <summary>
/// The consensus a relay or client holds: only a document signed by more than half of the pinned authorities, never
/// older than the one held, is taken; it is used until valid-until and for a grace period after (with a warning),
/// then there is no usable consensus.
/// </summary>
/// <remarks>
/// Thread-safe without locks on the read side: the held consensus is an immutable snapshot that an accepted offer
/// replaces with one compare-and-swap, so circuits read it while fetchers offer newer documents. Parsing and signature
/// checks run before the swap, outside any lock; only the newer-than check is repeated if two offers race.
/// </remarks>
public sealed class ConsensusHolder : IConsensusSource
{
    private readonly AuthorityId[] _pinned;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string? _cachePath;
    private readonly Lock _saveLock = new();
    private Snapshot? _snapshot;
    private Snapshot? _savedSnapshot; // guarded by _saveLock
    private long _lastSkewWarning = long.MinValue;

    /// <summary>Creates a holder that trusts <paramref name="pinnedAuthorities"/>.</summary>
    /// <param name="pinnedAuthorities">The authorities whose signatures count (repeats count once); at least one.</param>
    /// <param name="timeProvider">The clock every validity check reads.</param>
    /// <param name="grace">How long past valid-until a consensus stays usable, with a warning;
    /// <see cref="ConsensusValidity.DefaultGrace"/> (24 h) when null. Zero or more.</param>
    /// <param name="logger">Where acceptance, refusals and the stale warning go; none when null.</param>
    /// <param name="cachePath">When set, every accepted consensus is written to this file atomically, and
    /// <see cref="LoadCache"/> reads it back; when null, nothing touches the disk.</param>
    public ConsensusHolder(
        IReadOnlyCollection<AuthorityId> pinnedAuthorities,
        TimeProvider timeProvider,
        TimeSpan? grace = null,
        ILogger<ConsensusHolder>? logger = null,
        string? cachePath = null)
    {
        ArgumentNullException.ThrowIfNull(pinnedAuthorities);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (pinnedAuthorities.Count == 0)
        {
            throw new ArgumentException("At least one authority must be pinned.", nameof(pinnedAuthorities));
        }

        if (grace is { } g)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(g, TimeSpan.Zero, nameof(grace));
        }

        if (cachePath is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(cachePath);
        }

        _pinned = [.. pinnedAuthorities.Distinct()];
        _clock = timeProvider;
        Grace = grace ?? ConsensusValidity.DefaultGrace;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _cachePath = cachePath;
    }

    /// <summary>Raised (on the offering thread) when a newer consensus has been taken.</summary>
    public event EventHandler<Consensus>? Changed;

    /// <summary>
    /// A well-signed consensus refused because the local clock is at least this far outside its window is logged as a
    /// clock problem (event 1207 or 1208, Warning); a smaller distance is only a refusal (Debug).
    /// </summary>
    public static TimeSpan ClockSkewWarningThreshold { get; } = TimeSpan.FromHours(1);

    /// <summary>The authorities whose signatures count.</summary>
    public IReadOnlyList<AuthorityId> PinnedAuthorities => _pinned;

    /// <summary>How long past valid-until the held consensus stays usable (stale, with a warning).</summary>
    public TimeSpan Grace { get; }

    /// <summary>The last consensus taken, usable or not.</summary>
    public Consensus? Latest => Volatile.Read(ref _snapshot)?.Consensus;

    /// <summary>The exact signed bytes of <see cref="Latest"/>, as a directory cache serves them; empty when none.</summary>
    public ReadOnlyMemory<byte> LatestDocument => Volatile.Read(ref _snapshot)?.Consensus.Document ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Parses, verifies and, when newer, takes <paramref name="signedDocument"/>. In order: the document must parse
    /// (which bounds its size and refuses a repeated signer), carry valid signatures from more than half of the pinned
    /// authorities, be usable now (not before valid-after, not past valid-until + grace), and start later than the
    /// consensus held. Never throws on the document's bytes.
    /// </summary>
    public ConsensusOfferResult Offer(ReadOnlySpan<byte> signedDocument) => Offer(signedDocument, save: true);

    private ConsensusOfferResult Offer(ReadOnlySpan<byte> signedDocument, bool save)
    {
        var result = Check(signedDocument, out var bound, out var consensus);
        if (bound is null || consensus is null)
        {
            ConsensusLog.Refused(_logger, result.Refusal, result.ToString());
            WarnOfClockSkew(result, fromCache: !save);
            return result;
        }

        var candidate = new Snapshot(bound, consensus);
        while (true)
        {
            var held = Volatile.Read(ref _snapshot);
            if (held is not null && consensus.ValidAfter <= held.Consensus.ValidAfter)
            {
                var notNewer = result with { Accepted = false, NotNewer = true };
                ConsensusLog.Refused(_logger, notNewer.Refusal, notNewer.ToString());
                return notNewer;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _snapshot, candidate, held), held))
            {
                break;
            }
        }

        ConsensusLog.Accepted(_logger, consensus.ValidAfter, consensus.ValidUntil, consensus.Signers.Count, consensus.Relays.Count);
        if (save)
        {
            SaveCache();
        }

        Changed?.Invoke(this, consensus);
        return result;
    }

    /// <summary>The consensus to use now, or why there is none. Past valid-until it is still given out for the
    /// grace period, and a warning is logged once per consensus.</summary>
    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
    {
        var held = Volatile.Read(ref _snapshot);
        if (held is null)
        {
            consensus = null;
            reason = ConsensusUnavailable.NoneYet;
            return false;
        }

        var now = _clock.GetUtcNow();
        var check = held.Bound.CheckValidAt(now, Grace, null);
        switch (check.Status)
        {
            case Timeliness.Valid:
                consensus = held.Consensus;
                reason = ConsensusUnavailable.None;
                return true;
            case Timeliness.Stale:
                if (held.TryMarkWarned())
                {
                    ConsensusLog.Stale(_logger, held.Consensus.ValidAfter, held.Consensus.ValidUntil, held.Consensus.ValidUntil + Grace);
                }

                consensus = held.Consensus;
                reason = ConsensusUnavailable.None;
                return true;
            case Timeliness.NotYetValid:
                consensus = null;
                reason = ConsensusUnavailable.NotYetValid;
                return false;
            default:
                if (held.TryMarkExpiredReported())
                {
                    ConsensusLog.Expired(_logger, held.Consensus.ValidAfter, held.Consensus.ValidUntil + Grace);
                }

                consensus = null;
                reason = ConsensusUnavailable.Expired;
                return false;
        }
    }

    /// <summary>The consensus to use now.</summary>
    /// <exception cref="NoUsableConsensusException">There is none; its message says why, for the user.</exception>
    public Consensus GetUsable() =>
        TryGetUsable(out var consensus, out var reason) ? consensus : throw new NoUsableConsensusException(reason, Describe(reason));

    /// <summary>A user-facing sentence for <paramref name="reason"/>, with the held consensus's times.</summary>
    public string Describe(ConsensusUnavailable reason) => reason.ToUserMessage(Latest, Grace);

    /// <summary>
    /// Reads the cache file given at construction and offers it like a fetched document: the signatures and times are
    /// checked again, so a stale, tampered or truncated file is ignored with a reason, never trusted and never fatal.
    /// </summary>
    public ConsensusCacheLoad LoadCache()
    {
        if (_cachePath is null)
        {
            return new(ConsensusCacheStatus.NoCacheConfigured, default);
        }

        byte[] document;
        try
        {
            using var stream = new FileStream(_cachePath, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > NetworkStatus.MaxSize)
            {
                var tooLarge = new ConsensusOfferResult(false, new DocumentError(DocumentErrorKind.TooLarge, 0, null), SignatureError.None, default, false);
                return Ignored(new(ConsensusCacheStatus.Refused, tooLarge));
            }

            document = new byte[stream.Length];
            stream.ReadExactly(document);
        }
        catch (FileNotFoundException)
        {
            return new(ConsensusCacheStatus.NoFile, default);
        }
        catch (DirectoryNotFoundException)
        {
            return new(ConsensusCacheStatus.NoFile, default);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Ignored(new(ConsensusCacheStatus.Unreadable, default));
        }

        // The file already holds these bytes: no need to write them back.
        var offer = Offer(document, save: false);
        return offer.Accepted ? new(ConsensusCacheStatus.Loaded, offer) : Ignored(new(ConsensusCacheStatus.Refused, offer));
    }

    // One warning per refusal kind and hour of skew, so that a retrying fetcher does not repeat it every round. An
    // expired cache file says nothing about the clock (the program may simply have been stopped for days).
    private void WarnOfClockSkew(ConsensusOfferResult result, bool fromCache)
    {
        if (result.ClockSkew is not { } skew || skew.Duration() < ClockSkewWarningThreshold ||
            (fromCache && result.Timeliness == Timeliness.Expired))
        {
            return;
        }

        var key = ((long)Math.Round(skew.TotalHours) << 1) | (result.Timeliness == Timeliness.NotYetValid ? 1L : 0L);
        if (Interlocked.Exchange(ref _lastSkewWarning, key) != key)
        {
            var hours = Math.Round(skew.Duration().TotalHours, 1);
            if (result.Timeliness == Timeliness.NotYetValid)
            {
                ConsensusLog.ClockBehind(_logger, hours);
            }
            else
            {
                ConsensusLog.ClockAheadOrConsensusOld(_logger, hours);
            }
        }
    }

    private ConsensusCacheLoad Ignored(ConsensusCacheLoad load)
    {
        ConsensusLog.CacheIgnored(_logger, load.Status, load.Offer.ToString());
        return load;
    }

    private ConsensusOfferResult Check(ReadOnlySpan<byte> signedDocument, out TimeBound<Consensus>? bound, out Consensus? consensus)
    {
        bound = null;
        consensus = null;
        if (!UnverifiedConsensus.TryParse(signedDocument, out var unverified, out var parseError))
        {
            return new(false, parseError, SignatureError.None, default, false);
        }

        var signed = unverified.VerifySignatures(_pinned);
        if (!signed.IsValid)
        {
            return new(false, default, signed.Error, default, false, signed.ValidSignatures, signed.RequiredSignatures);
        }

        var held = Volatile.Read(ref _snapshot);
        var now = _clock.GetUtcNow();
        var timely = signed.Value.CheckValidAt(now, Grace, null);
        if (!timely.IsUsable)
        {
            // Well signed but not for this clock: how far the clock is from the document's window is the least the
            // clock can be off by, if the document is current (one from the future can only mean a slow clock).
            var skew = timely.Status == Timeliness.NotYetValid ? now - signed.Value.ValidFrom : now - signed.Value.ValidUntil;
            return new(false, default, SignatureError.None, timely.Status, false, signed.ValidSignatures, signed.RequiredSignatures, skew);
        }

        if (held is not null && timely.Value.ValidAfter <= held.Consensus.ValidAfter)
        {
            return new(false, default, SignatureError.None, timely.Status, true, signed.ValidSignatures, signed.RequiredSignatures);
        }

        bound = signed.Value;
        consensus = timely.Value;
        return new(true, default, SignatureError.None, timely.Status, false, signed.ValidSignatures, signed.RequiredSignatures);
    }

    // Saves whatever is held when the write starts, under a lock, so that racing accepted offers cannot leave the
    // older document on disk. A failed write costs only the cache, never the consensus in memory.
    private void SaveCache()
    {
        if (_cachePath is null)
        {
            return;
        }

        lock (_saveLock)
        {
            var held = Volatile.Read(ref _snapshot);
            if (held is null || ReferenceEquals(held, _savedSnapshot))
            {
                return;
            }

            try
            {
                AtomicFile.Write(_cachePath, held.Consensus.Document.Span);
                _savedSnapshot = held;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ConsensusLog.CacheWriteFailed(_logger, e);
            }
        }
    }

    private sealed class Snapshot(TimeBound<Consensus> bound, Consensus consensus)
    {
        private int _warned;
        private int _expiredReported;

        public TimeBound<Consensus> Bound { get; } = bound;

        public Consensus Consensus { get; } = consensus;

        public bool TryMarkWarned() => Interlocked.Exchange(ref _warned, 1) == 0;

        public bool TryMarkExpiredReported() => Interlocked.Exchange(ref _expiredReported, 1) == 0;
    }
}

/// <summary>Why no consensus is usable now.</summary>
public enum ConsensusUnavailable
{
    /// <summary>A consensus is usable.</summary>
    None = 0,

    /// <summary>None has been taken yet.</summary>
    NoneYet,

    /// <summary>The one held is past valid-until plus the grace period.</summary>
    Expired,

    /// <summary>The one held is not valid yet (the local clock is behind).</summary>
    NotYetValid,
}

/// <summary>Why an offered consensus was not taken; derived from <see cref="ConsensusOfferResult"/>.</summary>
public enum ConsensusRefusal
{
    /// <summary>Taken.</summary>
    None = 0,

    /// <summary>Larger than <see cref="NetworkStatus.MaxSize"/>; nothing else was read.</summary>
    TooLarge,

    /// <summary>Did not parse (including a second signature line by the same authority).</summary>
    Malformed,

    /// <summary>A pinned authority's signature does not verify: the bytes were altered.</summary>
    BadSignature,

    /// <summary>Valid signatures from no more than half of the pinned authorities (unknown signers count nowhere).</summary>
    TooFewSignatures,

    /// <summary>Its valid-after is ahead of the local clock.</summary>
    NotYetValid,

    /// <summary>Past valid-until plus the grace period.</summary>
    Expired,

    /// <summary>Not newer than the consensus held: a rollback, or the same period again.</summary>
    NotNewer,
}

/// <summary>What became of an offered consensus.</summary>
/// <param name="Accepted">True when it is now the held consensus.</param>
/// <param name="ParseError">Set when the document did not parse.</param>
/// <param name="SignatureError">Set when too few valid signatures from pinned authorities.</param>
/// <param name="Timeliness">Its validity at the time of the offer.</param>
/// <param name="NotNewer">True when it is not newer than the one held (a rollback or the same).</param>
/// <param name="ValidSignatures">Valid signatures by pinned authorities counted (0 when it did not parse).</param>
/// <param name="RequiredSignatures">Signatures that were needed (0 when it did not parse).</param>
/// <param name="ClockSkew">For a well-signed consensus refused as <see cref="Timeliness.NotYetValid"/> or
/// <see cref="Timeliness.Expired"/>: the local time minus valid-after (negative: the clock is behind by at least this)
/// or minus valid-until (positive: the document is old, or the clock is ahead by at least this); otherwise null.</param>
public readonly record struct ConsensusOfferResult(
    bool Accepted,
    DocumentError ParseError,
    SignatureError SignatureError,
    Timeliness Timeliness,
    bool NotNewer,
    int ValidSignatures = 0,
    int RequiredSignatures = 0,
    TimeSpan? ClockSkew = null)
{
    /// <summary>Which check refused it; <see cref="ConsensusRefusal.None"/> when accepted.</summary>
    public ConsensusRefusal Refusal => Accepted ? ConsensusRefusal.None
        : ParseError.Kind == DocumentErrorKind.TooLarge ? ConsensusRefusal.TooLarge
        : ParseError.Kind != 0 ? ConsensusRefusal.Malformed
        : SignatureError == SignatureError.TooFewSignatures ? ConsensusRefusal.TooFewSignatures
        : SignatureError != SignatureError.None ? ConsensusRefusal.BadSignature
        : NotNewer ? ConsensusRefusal.NotNewer
        : Timeliness == Timeliness.NotYetValid ? ConsensusRefusal.NotYetValid
        : ConsensusRefusal.Expired;

    /// <inheritdoc/>
    public override string ToString() => Refusal switch
    {
        ConsensusRefusal.None => $"accepted ({Timeliness}, {ValidSignatures}/{RequiredSignatures} signatures)",
        ConsensusRefusal.TooLarge or ConsensusRefusal.Malformed => $"{Refusal}: {ParseError}",
        ConsensusRefusal.BadSignature or ConsensusRefusal.TooFewSignatures => $"{Refusal} ({ValidSignatures}/{RequiredSignatures})",
        _ => Refusal.ToString(),
    };
}

/// <summary>What loading the consensus cache file found.</summary>
public enum ConsensusCacheStatus
{
    /// <summary>The file's consensus is now held.</summary>
    Loaded = 1,

    /// <summary>The holder was made without a cache path.</summary>
    NoCacheConfigured,

    /// <summary>There is no cache file yet.</summary>
    NoFile,

    /// <summary>The file could not be read (permissions, I/O error); ignored.</summary>
    Unreadable,

    /// <summary>The file was read but its consensus was refused (corrupt, forged, expired, or not newer); ignored.</summary>
    Refused,
}

/// <summary>The outcome of <see cref="ConsensusHolder.LoadCache"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Offer">For <see cref="ConsensusCacheStatus.Loaded"/> and <see cref="ConsensusCacheStatus.Refused"/>:
/// the checks' outcome.</param>
public readonly record struct ConsensusCacheLoad(ConsensusCacheStatus Status, ConsensusOfferResult Offer);

/// <summary>Turns a missing consensus into words for the user.</summary>
public static class ConsensusUnavailableMessages
{
    /// <summary>
    /// A sentence starting "no usable consensus: " that says why, with the times involved, e.g. "no usable consensus:
    /// the newest one held expired at 2026-11-29 09:00:00Z (valid-until 2026-11-28 09:00:00Z + 24 h grace)".
    /// </summary>
    /// <param name="reason">Why none is usable.</param>
    /// <param name="latest">The consensus held, if any.</param>
    /// <param name="grace">The grace period in force; <see cref="ConsensusValidity.DefaultGrace"/> when null.</param>
    public static string ToUserMessage(this ConsensusUnavailable reason, Consensus? latest, TimeSpan? grace = null)
    {
        var period = grace ?? ConsensusValidity.DefaultGrace;
        return reason switch
        {
            ConsensusUnavailable.None => "a consensus is usable",
            ConsensusUnavailable.Expired when latest is not null =>
                $"no usable consensus: the newest one held expired at {Format(latest.ValidUntil + period)} " +
                $"(valid-until {Format(latest.ValidUntil)} + {FormatSpan(period)} grace); no newer one signed by a majority of the authorities has been received",
            ConsensusUnavailable.Expired => "no usable consensus: the newest one held has expired",
            ConsensusUnavailable.NotYetValid when latest is not null =>
                $"no usable consensus: the newest one held is valid only from {Format(latest.ValidAfter)}; check the local clock",
            ConsensusUnavailable.NotYetValid => "no usable consensus: the one held is not valid yet; check the local clock",
            _ => "no usable consensus: none signed by a majority of the authorities has been received yet",
        };
    }

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string FormatSpan(TimeSpan span) =>
        span.TotalHours == Math.Floor(span.TotalHours) && span.TotalHours >= 1
            ? $"{span.TotalHours:0} h"
            : span.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Thrown when a consensus is needed and none is usable; the message is meant for the user.</summary>
public sealed class NoUsableConsensusException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public NoUsableConsensusException(ConsensusUnavailable reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Creates the exception with a default message.</summary>
    public NoUsableConsensusException()
        : this(ConsensusUnavailable.NoneYet, ConsensusUnavailable.NoneYet.ToUserMessage(null))
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NoUsableConsensusException(string message)
        : this(ConsensusUnavailable.NoneYet, message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public NoUsableConsensusException(string message, Exception innerException)
        : base(message, innerException) => Reason = ConsensusUnavailable.NoneYet;

    /// <summary>Why none is usable.</summary>
    public ConsensusUnavailable Reason { get; }
}
