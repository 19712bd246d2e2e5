using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public sealed class TimePeriodScheduleTests
{
    [Fact]
    public void The_default_schedule_is_Tors_calendar()
    {
        var schedule = TimePeriodSchedule.Default;
        Assert.Equal(1440u, schedule.LengthMinutes);
        Assert.Equal(720u, schedule.RotationOffsetMinutes);

        // rend-spec-v3 §2.2.1's example: 2016-04-13 11:15:01 UTC is in period 16903, 2016-04-12 12:00 to 2016-04-13 12:00.
        var period = schedule.PeriodAt(new DateTimeOffset(2016, 4, 13, 11, 15, 1, TimeSpan.Zero));
        Assert.Equal(16903ul, period.Number);
        Assert.Equal(new DateTimeOffset(2016, 4, 12, 12, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2016, 4, 13, 12, 0, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void A_new_value_appears_at_midnight_for_the_period_that_starts_at_noon()
    {
        var schedule = TimePeriodSchedule.Default;

        // 01:00, after the value for period 16904 appeared at 00:00: clients are still in period 16903 and use the
        // previous value; a host's descriptors are for 16903 (previous value) and 16904 (current value).
        var night = new DateTimeOffset(2016, 4, 13, 1, 0, 0, TimeSpan.Zero);
        Assert.Equal(16903ul, schedule.PeriodAt(night).Number);
        Assert.Equal(16904ul, schedule.CurrentValuePeriod(night).Number);
        Assert.Equal(16903ul, schedule.PreviousValuePeriod(night).Number);

        // 13:00, after period 16904 started at 12:00: clients use the current value, a host covers 16903 and 16904.
        var afternoon = new DateTimeOffset(2016, 4, 13, 13, 0, 0, TimeSpan.Zero);
        Assert.Equal(16904ul, schedule.PeriodAt(afternoon).Number);
        Assert.Equal(16904ul, schedule.CurrentValuePeriod(afternoon).Number);
        Assert.Equal(16903ul, schedule.PreviousValuePeriod(afternoon).Number);

        // At midnight exactly the next value takes over.
        var midnight = new DateTimeOffset(2016, 4, 14, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(16905ul, schedule.CurrentValuePeriod(midnight).Number);
        Assert.Equal(16905ul, schedule.CurrentValuePeriod(midnight.AddMinutes(1439)).Number);
        Assert.Equal(16904ul, schedule.CurrentValuePeriod(midnight.AddSeconds(-1)).Number);
    }

    [Theory]
    [InlineData(1440u)]
    [InlineData(60u)]
    [InlineData(7u)]
    [InlineData(2u)]
    public void Every_minute_the_clients_period_is_one_of_the_two_with_a_value(uint length)
    {
        var schedule = new TimePeriodSchedule(length);
        Assert.Equal(length / 2, schedule.RotationOffsetMinutes);
        var start = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        for (var minute = 0; minute < 3 * (int)length; minute++)
        {
            var at = start.AddMinutes(minute);
            var period = schedule.PeriodAt(at);
            var current = schedule.CurrentValuePeriod(at);
            Assert.True(period.Contains(at));
            Assert.True(period == current || period == current.Previous(), $"minute {minute}");
            Assert.True(schedule.Owns(period));

            // A period's value appears half a period before the period starts, and stays current until half-way through.
            Assert.Equal(current.Start.AddMinutes(-(int)schedule.RotationOffsetMinutes), DateTimeOffset.UnixEpoch.AddMinutes(current.Number * length));
        }
    }

    [Fact]
    public void Lengths_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePeriodSchedule(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePeriodSchedule(1441));
        Assert.Equal(new TimePeriodSchedule(1440), TimePeriodSchedule.Default);
    }
}
