using HiddenPoint.Client.Connecting;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Connecting;

/// <summary>TEST-MATRIX DOC-05, revision rollback on fetch: the client refuses an older descriptor once it saw a newer one.</summary>
public sealed class DescriptorRevisionFloorTests
{
    private static readonly TimePeriod s_period = TimePeriodSchedule.Default.PeriodAt(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public void DOC05_AnOlderRevisionServedAfterANewerOne_IsRefusedAsARollback_UntilTheNewerOnesLifetimeEnds()
    {
        var clock = new FakeTimeProvider();
        var floor = new DescriptorRevisionFloor(clock);
        var key = BlindedKey();
        var lifetime = TimeSpan.FromHours(3);

        Assert.True(floor.TryAccept(key, 500, lifetime));
        Assert.False(floor.TryAccept(key, 499, lifetime)); // a hostile HSDir serving the previous revision
        Assert.True(floor.TryAccept(key, 500, lifetime)); // another HSDir holding the same one
        Assert.True(floor.TryAccept(key, 501, lifetime));
        Assert.False(floor.TryAccept(key, 500, lifetime));
        Assert.True(floor.TryAccept(BlindedKey(), 1, lifetime)); // each blinded key has its own floor

        // Once the newest descriptor could no longer be served, its floor is gone.
        clock.Advance(lifetime - TimeSpan.FromSeconds(1));
        Assert.False(floor.TryAccept(key, 1, lifetime));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(floor.TryAccept(key, 1, lifetime));
    }

    [Fact]
    public void The_floor_remembers_a_bounded_number_of_keys_forgetting_the_oldest()
    {
        var floor = new DescriptorRevisionFloor(new FakeTimeProvider());
        var first = BlindedKey();
        Assert.True(floor.TryAccept(first, 10, TimeSpan.FromHours(12)));
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var period = s_period;
        for (var i = 0; i < DescriptorRevisionFloor.Capacity; i++)
        {
            period = period.Next();
            Assert.True(floor.TryAccept(KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc), 1, TimeSpan.FromHours(12)));
        }

        Assert.Equal(DescriptorRevisionFloor.Capacity, floor.Count);
        Assert.True(floor.TryAccept(first, 1, TimeSpan.FromHours(12))); // forgotten: the oldest went first
    }

    private static BlindedPublicKey BlindedKey()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        return KeyBlinding.BlindPublicKey(identity.PublicKey, s_period, KeyBlindingLabels.Hpc);
    }
}
