namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// A time period (rend-spec-v3 §2.2.1 [TIME-PERIODS]): blinded keys and HSDir ring positions change once per period.
/// Period number <c>n = (minutes since the epoch - rotation offset) / length</c>, so with the defaults (1440 minutes,
/// offset 12 hours) each period runs from 12:00 UTC to 12:00 UTC the next day.
/// </summary>
/// <remarks>The instant must be the network's time (the consensus <c>valid-after</c>), never the local clock.</remarks>
public readonly record struct TimePeriod
{
    /// <summary>The default period length: one day, in minutes (consensus parameter <c>hsdir-interval</c>).</summary>
    public const uint DefaultLengthMinutes = 1440;

    /// <summary>The default rotation offset: twelve one-hour voting periods, in minutes.</summary>
    public const uint DefaultRotationOffsetMinutes = 12 * 60;

    // Upper bound on the length (about 2.7 years): keeps every start instant representable.
    private const uint MaxLengthMinutes = 1 << 20;

    /// <summary>Creates a period from its number and parameters.</summary>
    /// <param name="number">The period number.</param>
    /// <param name="lengthMinutes">The period length in minutes, 1 to 2^20.</param>
    /// <param name="rotationOffsetMinutes">The offset of period starts from the epoch, less than one day.</param>
    public TimePeriod(ulong number, uint lengthMinutes = DefaultLengthMinutes, uint rotationOffsetMinutes = DefaultRotationOffsetMinutes)
    {
        if (lengthMinutes is 0 or > MaxLengthMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthMinutes), lengthMinutes, "The period length must be 1 to 2^20 minutes.");
        }

        if (rotationOffsetMinutes >= 1440)
        {
            throw new ArgumentOutOfRangeException(nameof(rotationOffsetMinutes), rotationOffsetMinutes, "The rotation offset must be less than a day.");
        }

        if (number > (ulong)(DateTimeOffset.MaxValue.ToUnixTimeSeconds() / 60 / lengthMinutes) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, "The period would end after year 9999.");
        }

        Number = number;
        LengthMinutes = lengthMinutes;
        RotationOffsetMinutes = rotationOffsetMinutes;
    }

    /// <summary>The period number.</summary>
    public ulong Number { get; }

    /// <summary>The period length in minutes.</summary>
    public uint LengthMinutes { get; }

    /// <summary>The offset, in minutes, of period starts from multiples of the length since the epoch.</summary>
    public uint RotationOffsetMinutes { get; }

    /// <summary>The first instant of the period.</summary>
    public DateTimeOffset Start =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(RotationOffsetMinutes + (Number * LengthMinutes)) * TimeSpan.TicksPerMinute);

    /// <summary>The first instant after the period.</summary>
    public DateTimeOffset End => Start.AddMinutes(LengthMinutes);

    /// <summary>The period containing <paramref name="instant"/>, which must be after the first period's start.</summary>
    public static TimePeriod FromInstant(
        DateTimeOffset instant,
        uint lengthMinutes = DefaultLengthMinutes,
        uint rotationOffsetMinutes = DefaultRotationOffsetMinutes)
    {
        var minutes = instant.ToUnixTimeSeconds() / 60;
        if (minutes < rotationOffsetMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(instant), instant, "The instant is before the first time period.");
        }

        if (lengthMinutes == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthMinutes), lengthMinutes, "The period length must be positive.");
        }

        return new TimePeriod((ulong)(minutes - rotationOffsetMinutes) / lengthMinutes, lengthMinutes, rotationOffsetMinutes);
    }

    /// <summary>Whether <paramref name="instant"/> falls in this period.</summary>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    /// <summary>The following period.</summary>
    public TimePeriod Next() => new(Number + 1, LengthMinutes, RotationOffsetMinutes);

    /// <summary>The preceding period.</summary>
    public TimePeriod Previous() =>
        Number == 0
            ? throw new InvalidOperationException("Period 0 has no predecessor.")
            : new TimePeriod(Number - 1, LengthMinutes, RotationOffsetMinutes);
}
