namespace HiddenPoint.TorBenchmark.Tests;

public class StatisticsTests
{
    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        Assert.Equal(3, Statistics.Median([5, 1, 3]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 3, 2]));
        Assert.Equal(7, Statistics.Median([7]));
    }

    [Fact]
    public void P99_is_the_nearest_rank()
    {
        var values = Enumerable.Range(1, 200).Select(i => (double)i).Reverse().ToArray();

        Assert.Equal(198, Statistics.Percentile(values, 99));
        Assert.Equal(200, Statistics.Percentile(values, 100));
        Assert.Equal(5, Statistics.Percentile([5], 99));
    }

    [Fact]
    public void No_values_have_no_summary()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
        Assert.Throws<ArgumentException>(() => Statistics.Percentile([], 99));
    }
}
