using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Testing;

/// <summary>
/// A clock whose wall time can jump while its monotonic time does not: timers and <see cref="GetTimestamp"/> follow
/// the <see cref="FakeTimeProvider"/> underneath (advanced by the test), while <see cref="GetUtcNow"/> adds an offset
/// the test moves with <see cref="JumpWallClock"/>, as an NTP step or an operator's change would. A
/// <see cref="FakeTimeProvider"/> alone cannot show this: its timestamps are its wall time.
/// </summary>
public sealed class JumpingWallClock : TimeProvider
{
    private readonly FakeTimeProvider _monotonic;
    private TimeSpan _offset;

    /// <summary>Starts with the wall clock at <paramref name="start"/> and no offset.</summary>
    public JumpingWallClock(DateTimeOffset start) => _monotonic = new FakeTimeProvider(start);

    /// <summary>The clock underneath, whose <see cref="FakeTimeProvider.Advance"/> moves both times.</summary>
    public FakeTimeProvider Monotonic => _monotonic;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override long TimestampFrequency => _monotonic.TimestampFrequency;

    /// <summary>Moves the wall clock alone by <paramref name="jump"/> (forwards or backwards).</summary>
    public void JumpWallClock(TimeSpan jump) => _offset += jump;

    /// <summary>Moves both clocks forward, firing due timers.</summary>
    public void Advance(TimeSpan delta) => _monotonic.Advance(delta);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _monotonic.GetUtcNow() + _offset;

    /// <inheritdoc/>
    public override long GetTimestamp() => _monotonic.GetTimestamp();

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _monotonic.CreateTimer(callback, state, dueTime, period);
}
