namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// How a network's hidden-point time periods and shared random values line up (rend-spec-v3 §2.2.1 and §2.2.4,
/// adapted; docs/hidden-point-descriptor.md §11). Periods last <see cref="LengthMinutes"/> and start
/// <see cref="RotationOffsetMinutes"/> (half a period) after each multiple of the length since the Unix epoch. A new
/// shared random value is published at each multiple of the length itself, half a period before the period it serves
/// starts: the value for period <c>n</c> appears at minute <c>n · L</c> and is used by every party for the whole of
/// period <c>n</c>, which runs from minute <c>n · L + L/2</c> to <c>(n + 1) · L + L/2</c>.
/// </summary>
/// <remarks>
/// With the defaults (1440 minutes) this is Tor's calendar: a new value at 00:00 UTC, a new period at 12:00 UTC. The
/// instant given is always the consensus <c>valid-after</c>, never the local clock. A consensus at instant <c>t</c>
/// carries the values for periods <see cref="CurrentValuePeriod"/> (<c>floor(t / L)</c>) and the one before it;
/// <see cref="PeriodAt"/>(t) is always one of those two, so every party finds the value for its period in its consensus.
/// </remarks>
public sealed record TimePeriodSchedule
{
    /// <summary>The shortest period a network may use, in minutes (a testnet's).</summary>
    public const uint MinLengthMinutes = 2;

    /// <summary>The longest period, in minutes: one day, the default.</summary>
    public const uint MaxLengthMinutes = TimePeriod.DefaultLengthMinutes;

    /// <summary>Creates the schedule of periods of <paramref name="lengthMinutes"/> minutes.</summary>
    /// <param name="lengthMinutes">The period length, <see cref="MinLengthMinutes"/> to <see cref="MaxLengthMinutes"/>.</param>
    public TimePeriodSchedule(uint lengthMinutes)
    {
        if (lengthMinutes is < MinLengthMinutes or > MaxLengthMinutes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(lengthMinutes), lengthMinutes, $"The period length must be {MinLengthMinutes} to {MaxLengthMinutes} minutes.");
        }

        LengthMinutes = lengthMinutes;
    }

    /// <summary>The defaults: 1440-minute periods starting at 12:00 UTC.</summary>
    public static TimePeriodSchedule Default { get; } = new(TimePeriod.DefaultLengthMinutes);

    /// <summary>The period length in minutes.</summary>
    public uint LengthMinutes { get; }

    /// <summary>How far period starts lie after the multiples of the length: half the length, rounded down.</summary>
    public uint RotationOffsetMinutes => LengthMinutes / 2;

    /// <summary>The period <paramref name="validAfter"/> falls in: the one clients fetch descriptors for.</summary>
    public TimePeriod PeriodAt(DateTimeOffset validAfter) => TimePeriod.FromInstant(validAfter, LengthMinutes, RotationOffsetMinutes);

    /// <summary>
    /// The period whose shared random value is the newest one published at <paramref name="validAfter"/> (a
    /// consensus's <c>shared-rand-current-value</c>): number <c>floor(minutes since the epoch / length)</c>. For the
    /// first half-length after a value appears this is the period after <see cref="PeriodAt"/>(validAfter) (whose
    /// value is then the previous one); for the rest of the length it is <see cref="PeriodAt"/>(validAfter) itself.
    /// </summary>
    public TimePeriod CurrentValuePeriod(DateTimeOffset validAfter)
    {
        var minutes = validAfter.ToUnixTimeSeconds() / 60;
        if (minutes < LengthMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(validAfter), validAfter, "The instant is before the second shared random value.");
        }

        return Period((ulong)minutes / LengthMinutes);
    }

    /// <summary>The period whose value a consensus at <paramref name="validAfter"/> carries as <c>shared-rand-previous-value</c>.</summary>
    public TimePeriod PreviousValuePeriod(DateTimeOffset validAfter) => CurrentValuePeriod(validAfter).Previous();

    /// <summary>Period number <paramref name="number"/> of this schedule.</summary>
    public TimePeriod Period(ulong number) => new(number, LengthMinutes, RotationOffsetMinutes);

    /// <summary>Whether <paramref name="period"/> has this schedule's length and offset.</summary>
    public bool Owns(TimePeriod period) => period.LengthMinutes == LengthMinutes && period.RotationOffsetMinutes == RotationOffsetMinutes;
}
