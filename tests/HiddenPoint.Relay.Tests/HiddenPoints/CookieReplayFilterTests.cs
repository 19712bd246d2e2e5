using System.Security.Cryptography;
using HiddenPoint.Relay.HiddenPoints;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

public sealed class CookieReplayFilterTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(4);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));

    [Fact]
    public void A_cookie_is_refused_for_at_least_the_window_and_forgotten_within_a_window_and_a_quarter()
    {
        var filter = new CookieReplayFilter(_time, s_window, capacity: 1_000);
        var cookie = RandomNumberGenerator.GetBytes(20);
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(cookie, _time.GetTimestamp()));
        Assert.Equal(CookieCheck.Replayed, filter.TryRemember(cookie, _time.GetTimestamp()));

        // Registered at the very end of its bucket's quarter: still refused a window later, less one tick.
        _time.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(1));
        var late = RandomNumberGenerator.GetBytes(20);
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(late, _time.GetTimestamp()));
        _time.Advance(s_window - TimeSpan.FromTicks(1));
        Assert.Equal(CookieCheck.Replayed, filter.TryRemember(late, _time.GetTimestamp()));
        Assert.Equal(CookieCheck.Replayed, filter.TryRemember(cookie, _time.GetTimestamp()));

        // A window and a quarter after the bucket began, both are gone.
        _time.Advance(TimeSpan.FromTicks(2));
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(late, _time.GetTimestamp()));
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(cookie, _time.GetTimestamp()));
        Assert.Equal(2, filter.Count);
    }

    [Fact]
    public void A_full_filter_refuses_new_cookies_and_forgets_none_until_they_expire()
    {
        var filter = new CookieReplayFilter(_time, s_window, capacity: 1_000);
        var cookies = Enumerable.Range(0, 1_000).Select(_ => RandomNumberGenerator.GetBytes(20)).ToList();
        foreach (var cookie in cookies)
        {
            Assert.Equal(CookieCheck.Remembered, filter.TryRemember(cookie, _time.GetTimestamp()));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 100 s later, at capacity: every new cookie is refused, every remembered one still counts as a replay.
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal(CookieCheck.Full, filter.TryRemember(RandomNumberGenerator.GetBytes(20), _time.GetTimestamp()));
        }

        Assert.All(cookies, cookie => Assert.Equal(CookieCheck.Replayed, filter.TryRemember(cookie, _time.GetTimestamp())));
        Assert.Equal(1_000, filter.Count);

        // Once the first buckets expire there is room again; the cookies of the last bucket are still remembered.
        _time.Advance(s_window + TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(100) + TimeSpan.FromSeconds(1));
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(RandomNumberGenerator.GetBytes(20), _time.GetTimestamp()));
        Assert.Equal(CookieCheck.Replayed, filter.TryRemember(cookies[^1], _time.GetTimestamp()));
        Assert.Equal(CookieCheck.Remembered, filter.TryRemember(cookies[0], _time.GetTimestamp()));
    }
}
