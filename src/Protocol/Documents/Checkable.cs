using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Protocol.Documents;

/// <summary>Why a document's signatures were refused.</summary>
public enum SignatureError
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>A signature that should verify does not: the document was altered or forged.</summary>
    BadSignature,

    /// <summary>A key certificate in a relay descriptor does not verify under the relay's identity.</summary>
    BadCertificate,

    /// <summary>Fewer than a majority of the pinned authorities signed.</summary>
    TooFewSignatures,

    /// <summary>A vote is signed by an authority that is not pinned.</summary>
    UnknownSigner,
}

/// <summary>The outcome of a signature check: the next state of the document, or why there is none.</summary>
/// <typeparam name="T">The state a good signature gives.</typeparam>
public readonly struct SignatureCheck<T>
    where T : class
{
    internal SignatureCheck(SignatureError error, T? value, int validSignatures, int requiredSignatures)
    {
        Error = error;
        Value = value;
        ValidSignatures = validSignatures;
        RequiredSignatures = requiredSignatures;
    }

    /// <summary><see cref="SignatureError.None"/> when accepted.</summary>
    public SignatureError Error { get; }

    /// <summary>The signature-checked document when accepted, otherwise null.</summary>
    public T? Value { get; }

    /// <summary>Valid signatures by pinned keys that were counted.</summary>
    public int ValidSignatures { get; }

    /// <summary>Valid signatures that were needed.</summary>
    public int RequiredSignatures { get; }

    /// <summary>True when accepted (then <see cref="Value"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsValid => Error == SignatureError.None && Value is not null;

    /// <inheritdoc/>
    public override string ToString() => IsValid
        ? $"valid ({ValidSignatures}/{RequiredSignatures})"
        : $"{Error} ({ValidSignatures}/{RequiredSignatures})";
}

/// <summary>Where a time falls relative to a document's validity window.</summary>
public enum Timeliness
{
    /// <summary>Inside the window: usable.</summary>
    Valid = 1,

    /// <summary>Past the end of the window but inside the grace period: usable, and the caller should warn and fetch a newer one.</summary>
    Stale,

    /// <summary>Before the window starts: refused (a document from the future, or a wrong clock).</summary>
    NotYetValid,

    /// <summary>Past the window and any grace period: refused.</summary>
    Expired,

    /// <summary>Older than the document already held: refused, so that nobody can roll a client back.</summary>
    Rollback,
}

/// <summary>The outcome of a validity-time check: the usable document, or why it is refused.</summary>
/// <typeparam name="T">The usable document.</typeparam>
public readonly struct TimeCheck<T>
    where T : class
{
    internal TimeCheck(Timeliness status, T? value)
    {
        Status = status;
        Value = value;
    }

    /// <summary>Where the time fell.</summary>
    public Timeliness Status { get; }

    /// <summary>The document when usable (<see cref="Timeliness.Valid"/> or <see cref="Timeliness.Stale"/>), otherwise null.</summary>
    public T? Value { get; }

    /// <summary>True when the document may be used; check <see cref="IsStale"/> to warn.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsUsable => Status is Timeliness.Valid or Timeliness.Stale && Value is not null;

    /// <summary>Usable, but past its window: warn and fetch a newer one.</summary>
    public bool IsStale => Status == Timeliness.Stale;

    /// <inheritdoc/>
    public override string ToString() => Status.ToString();
}

/// <summary>
/// A document whose signatures are checked but whose validity time is not. The only way to the document is a
/// time check (or, in tests, <see cref="DangerouslyAssumeTimely"/>).
/// </summary>
/// <typeparam name="T">The document.</typeparam>
public sealed class TimeBound<T>
    where T : class
{
    private readonly T _value;

    internal TimeBound(T value, DateTimeOffset validFrom, DateTimeOffset validUntil)
    {
        _value = value;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
    }

    /// <summary>The first instant the document may be used.</summary>
    public DateTimeOffset ValidFrom { get; }

    /// <summary>The last instant the document may be used without a grace period.</summary>
    public DateTimeOffset ValidUntil { get; }

    /// <summary>Checks <paramref name="now"/> against the window, with no grace period.</summary>
    public TimeCheck<T> CheckValidAt(DateTimeOffset now) => CheckValidAt(now, TimeSpan.Zero, null);

    /// <summary>Checks the clock's current time against the window, with no grace period.</summary>
    public TimeCheck<T> CheckValidAt(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return CheckValidAt(clock.GetUtcNow());
    }

    /// <summary>
    /// Checks <paramref name="now"/> against the window: before it, <see cref="Timeliness.NotYetValid"/>; within
    /// <paramref name="grace"/> after it, <see cref="Timeliness.Stale"/> (usable); later, <see cref="Timeliness.Expired"/>.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="grace">How long past the window the document stays usable (stale).</param>
    /// <param name="notBefore">When given, a document whose window starts earlier is refused as
    /// <see cref="Timeliness.Rollback"/> (checked first).</param>
    public TimeCheck<T> CheckValidAt(DateTimeOffset now, TimeSpan grace, DateTimeOffset? notBefore)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        if (notBefore is { } held && ValidFrom < held)
        {
            return new TimeCheck<T>(Timeliness.Rollback, null);
        }

        if (now < ValidFrom)
        {
            return new TimeCheck<T>(Timeliness.NotYetValid, null);
        }

        if (now <= ValidUntil)
        {
            return new TimeCheck<T>(Timeliness.Valid, _value);
        }

        // Subtracting keeps clear of DateTimeOffset.MaxValue, which ValidUntil + grace could pass.
        return now - ValidUntil <= grace
            ? new TimeCheck<T>(Timeliness.Stale, _value)
            : new TimeCheck<T>(Timeliness.Expired, null);
    }

    /// <summary>For tests only: the document without any time check.</summary>
    internal T DangerouslyAssumeTimely() => _value;
}

/// <summary>The validity rules of a consensus: window, grace period, and rollback.</summary>
public static class ConsensusValidity
{
    /// <summary>How long past valid-until a consensus stays usable (stale, with a warning) by default.</summary>
    public static TimeSpan DefaultGrace { get; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Checks a signature-checked consensus at <paramref name="now"/>: refused before valid-after, usable until
    /// valid-until, usable but stale until valid-until + <paramref name="grace"/> (<see cref="DefaultGrace"/> when
    /// null), refused after; and refused as a rollback when its valid-after is earlier than that of
    /// <paramref name="held"/>, the consensus already in use.
    /// </summary>
    public static TimeCheck<Consensus> CheckValidAt(this TimeBound<Consensus> consensus, DateTimeOffset now, Consensus? held, TimeSpan? grace = null)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        return consensus.CheckValidAt(now, grace ?? DefaultGrace, held?.ValidAfter);
    }

    /// <inheritdoc cref="CheckValidAt(TimeBound{Consensus}, DateTimeOffset, Consensus?, TimeSpan?)"/>
    public static TimeCheck<Consensus> CheckValidAt(this TimeBound<Consensus> consensus, TimeProvider clock, Consensus? held, TimeSpan? grace = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return consensus.CheckValidAt(clock.GetUtcNow(), held, grace);
    }

    /// <summary>True when a consensus valid from <paramref name="candidateValidAfter"/> is older than <paramref name="held"/>.</summary>
    public static bool IsRollback(DateTimeOffset candidateValidAfter, Consensus? held) =>
        held is not null && candidateValidAfter < held.ValidAfter;
}
