using HiddenPoint.Client.Hosting;

namespace HiddenPoint.Client.Tests.Hosting;

public sealed class IntroductionReplayCacheTests
{
    [Fact]
    public void An_introduction_is_new_once_and_a_replay_every_time_after()
    {
        var cache = new IntroductionReplayCache(16);
        var section = Section(1);

        Assert.True(cache.TryAdd(section));
        Assert.False(cache.TryAdd(section));
        Assert.False(cache.TryAdd(section));
        Assert.True(cache.TryAdd(Section(2)));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void The_cache_holds_at_most_its_capacity_and_forgets_the_oldest_first()
    {
        var cache = new IntroductionReplayCache(16);
        for (byte i = 0; i < 20; i++)
        {
            Assert.True(cache.TryAdd(Section(i)));
        }

        Assert.Equal(16, cache.Count);

        // The four oldest were forgotten; the sixteen newest are still refused.
        Assert.True(cache.TryAdd(Section(0)));
        Assert.False(cache.TryAdd(Section(19)));
        Assert.False(cache.TryAdd(Section(5)));
    }

    [Fact]
    public void One_changed_byte_is_a_different_introduction()
    {
        var cache = new IntroductionReplayCache(16);
        var section = Section(7);
        Assert.True(cache.TryAdd(section));
        section[^1] ^= 1;
        Assert.True(cache.TryAdd(section));
    }

    private static byte[] Section(byte seed)
    {
        var bytes = new byte[32 + 246 + 32];
        Array.Fill(bytes, seed);
        return bytes;
    }
}
