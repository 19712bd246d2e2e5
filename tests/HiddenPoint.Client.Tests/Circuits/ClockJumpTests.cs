using HiddenPoint.Client.Circuits;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Circuits;

/// <summary>TEST-MATRIX TM-04: ages and waits run on the monotonic clock, so wall-clock jumps do not tear circuits down.</summary>
public sealed class ClockJumpTests
{
    private static readonly TimeSpan s_maxAge = new CircuitBuilderOptions().PooledCircuitMaxAge;

    [Fact]
    public void TM04_WallClockJumpsOfPlusTwoHoursAndMinusTenMinutes_KeepPooledCircuits_TheMonotonicAgeStillRetiresThem()
    {
        var clock = new JumpingWallClock(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var builtAt = clock.GetTimestamp();
        Assert.True(CircuitPool.IsYoungEnough(builtAt, clock, s_maxAge));

        // +2 h on the wall: measured on the wall clock, every pooled circuit (10 min max age) would be dropped at once.
        clock.JumpWallClock(TimeSpan.FromHours(2));
        Assert.True(CircuitPool.IsYoungEnough(builtAt, clock, s_maxAge));

        // −10 min (back past the build time): a wall-clock age would be negative and keep the circuit 10 min too long.
        clock.JumpWallClock(TimeSpan.FromMinutes(-130));
        Assert.True(CircuitPool.IsYoungEnough(builtAt, clock, s_maxAge));

        clock.Advance(s_maxAge - TimeSpan.FromSeconds(1));
        Assert.True(CircuitPool.IsYoungEnough(builtAt, clock, s_maxAge));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(CircuitPool.IsYoungEnough(builtAt, clock, s_maxAge));
    }
}
