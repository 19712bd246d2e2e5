using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Tests.Hosting;

public sealed class DescriptorRevisionCounterTests
{
    private static readonly TimePeriod Period = TimePeriodSchedule.Default.Period(20_000);

    [Fact]
    public void The_counter_rises_with_time_within_a_period()
    {
        var counter = new DescriptorRevisionCounter();
        var first = counter.Next(Period, Period.Start.AddMinutes(5));
        var second = counter.Next(Period, Period.Start.AddMinutes(6));

        Assert.True(second > first);
        Assert.Equal((ulong)TimeSpan.FromMinutes(1).TotalMilliseconds, second - first);
    }

    [Fact]
    public void Two_descriptors_built_in_the_same_millisecond_still_get_rising_counters()
    {
        var counter = new DescriptorRevisionCounter();
        var now = Period.Start.AddHours(1);

        var values = Enumerable.Range(0, 5).Select(_ => counter.Next(Period, now)).ToList();

        Assert.Equal(values.Order().Distinct(), values);
    }

    [Fact]
    public void A_restarted_host_continues_above_what_it_gave_before_since_the_counter_comes_from_the_clock()
    {
        var before = new DescriptorRevisionCounter().Next(Period, Period.Start.AddHours(3));
        var afterRestart = new DescriptorRevisionCounter().Next(Period, Period.Start.AddHours(3).AddSeconds(1));

        Assert.True(afterRestart > before);
    }

    [Fact]
    public void A_descriptor_for_the_next_period_built_before_it_starts_still_gets_a_positive_counter()
    {
        var counter = new DescriptorRevisionCounter();
        var next = Period.Next();

        // Hosts upload for the next period up to one period before it starts.
        var early = counter.Next(next, next.Start.AddHours(-12));
        var later = counter.Next(next, next.Start.AddHours(-11));

        Assert.True(early > 0);
        Assert.True(later > early);
    }

    [Fact]
    public void Periods_count_on_their_own()
    {
        var counter = new DescriptorRevisionCounter();
        var now = Period.Start.AddHours(2);
        var ofThis = counter.Next(Period, now);
        var ofNext = counter.Next(Period.Next(), now);

        Assert.True(ofThis > ofNext);
        Assert.Equal(ofThis + 1, counter.Next(Period, now));
    }
}
