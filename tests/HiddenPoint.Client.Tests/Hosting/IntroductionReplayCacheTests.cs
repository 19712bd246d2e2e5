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
    public void RP01_AnIntroductionReplayedAThousandTimes_IsNewOnce_AndAFullCacheStaysUnderTwoMebibytes()
    {
        // TEST-MATRIX RP-01: the same INTRODUCE2 a thousand times through one introduction point is processed once
        // (HiddenPointNetworkTests.A_replayed_introduce2_is_processed_once shows the host counting it over real
        // circuits); the cache of one introduction point is bounded by its capacity, which the default fills in well
        // under 2 MiB.
        var capacity = new HostingOptions().ReplayCacheCapacity;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var cache = new IntroductionReplayCache(capacity);
        var section = Section(1);
        var fresh = 0;
        for (var i = 0; i < 1000; i++)
        {
            fresh += cache.TryAdd(section) ? 1 : 0;
        }

        Assert.Equal(1, fresh);
        var other = new byte[100];
        for (var i = 0; i < capacity * 2; i++)
        {
            BitConverter.TryWriteBytes(other, i);
            cache.TryAdd(other);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(capacity, cache.Count);
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated} bytes for {capacity} introductions");
        GC.KeepAlive(cache);
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
