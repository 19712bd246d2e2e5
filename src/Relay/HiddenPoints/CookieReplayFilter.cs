using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>What <see cref="CookieReplayFilter.TryRemember"/> found.</summary>
internal enum CookieCheck
{
    /// <summary>Not seen within the window; remembered from now on.</summary>
    Remembered,

    /// <summary>Seen within the window: a replay.</summary>
    Replayed,

    /// <summary>
    /// Not seen, but the filter holds its capacity already: refused rather than remembered, because making room would
    /// mean forgetting a cookie still inside its window.
    /// </summary>
    Full,
}

/// <summary>
/// The rendezvous point's memory of cookies (rend-spec-v3 §3.4: a cookie is refused while it is remembered). A cookie
/// remembered at time t is refused until at least t + window, however many other cookies arrive meanwhile: eviction
/// never reopens a replay. Memory is bounded by a capacity; when it is reached, new cookies are refused
/// (<see cref="CookieCheck.Full"/>) until old ones expire, and the client chooses another rendezvous point.
/// </summary>
/// <remarks>
/// <para>A cookie is kept as a 64-bit fingerprint, HMAC-SHA256 under a key drawn at random per process and truncated:
/// about 20 bytes per cookie instead of the cookie, its array and a table entry. A peer that does not know the key
/// cannot choose cookies whose fingerprints collide; two honest cookies share a fingerprint with probability
/// n / 2^64, a refused rendezvous at worst.</para>
/// <para>Fingerprints go into time buckets a quarter of the window long; a whole bucket is dropped once the newest
/// cookie it can hold is a window old, so a cookie is remembered for between one window and one and a quarter.</para>
/// <para>Not thread-safe: its owner locks.</para>
/// </remarks>
internal sealed class CookieReplayFilter
{
    private const int BucketsPerWindow = 4;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Queue<Bucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly TimeSpan _bucketLength;
    private readonly int _capacity;
    private Bucket? _newest;
    private int _count;

    public CookieReplayFilter(TimeProvider time, TimeSpan window, int capacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _window = window;
        _bucketLength = window / BucketsPerWindow;
        _capacity = capacity;
    }

    /// <summary>Cookies remembered now.</summary>
    public int Count => _count;

    /// <summary>Checks <paramref name="cookie"/> at <paramref name="now"/> (a timestamp of the clock) and remembers it when new.</summary>
    public CookieCheck TryRemember(ReadOnlySpan<byte> cookie, long now)
    {
        Expire(now);
        var fingerprint = Fingerprint(cookie);
        foreach (var bucket in _buckets)
        {
            if (bucket.Fingerprints.Contains(fingerprint))
            {
                return CookieCheck.Replayed;
            }
        }

        if (_count >= _capacity)
        {
            return CookieCheck.Full;
        }

        if (_newest is null || _time.GetElapsedTime(_newest.Start, now) >= _bucketLength)
        {
            _newest = new Bucket(now);
            _buckets.Enqueue(_newest);
        }

        _newest.Fingerprints.Add(fingerprint);
        _count++;
        return CookieCheck.Remembered;
    }

    // A bucket takes cookies for one bucket length after its start, so its newest cookie is a window old once a
    // window and a bucket length have passed since the start.
    private void Expire(long now)
    {
        while (_buckets.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.Start, now) >= _window + _bucketLength)
        {
            _count -= oldest.Fingerprints.Count;
            _buckets.Dequeue();
            if (ReferenceEquals(oldest, _newest))
            {
                _newest = null;
            }
        }
    }

    private ulong Fingerprint(ReadOnlySpan<byte> cookie)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, cookie, mac);
        return BinaryPrimitives.ReadUInt64LittleEndian(mac);
    }

    private sealed class Bucket(long start)
    {
        public long Start { get; } = start;

        public HashSet<ulong> Fingerprints { get; } = [];
    }
}
