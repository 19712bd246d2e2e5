using System.Collections.Concurrent;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// Relays that a circuit could not be extended to a short while ago, so that the next paths pass them over: a relay
/// killed or cut off stays in the consensus until the authorities' next vote, and without this memory every rebuild
/// after the fault would draw it again with the same odds and fail again. Each is passed over for
/// <see cref="AvoidFor"/> after its last failure, and only while another relay can take its place
/// (<see cref="PathSelector"/> draws without the filter when it leaves nothing). Thread-safe; bounded.
/// </summary>
public sealed class RecentlyUnreachableRelays
{
    /// <summary>The most relays remembered; past it, the oldest entries are dropped first.</summary>
    public const int Capacity = 1_024;

    private readonly ConcurrentDictionary<RelayId, long> _failedAt = new();
    private readonly TimeProvider _time;

    /// <summary>A memory on <paramref name="timeProvider"/>'s monotonic clock that passes a relay over for <paramref name="avoidFor"/>.</summary>
    public RecentlyUnreachableRelays(TimeProvider timeProvider, TimeSpan avoidFor)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(avoidFor, TimeSpan.Zero);
        _time = timeProvider;
        AvoidFor = avoidFor;
    }

    /// <summary>How long after its last failed extension a relay is passed over.</summary>
    public TimeSpan AvoidFor { get; }

    /// <summary>Relays remembered now (some may have served their time and not yet been dropped).</summary>
    public int Count => _failedAt.Count;

    /// <summary>Records that an extension to <paramref name="relay"/> failed now.</summary>
    public void Note(RelayId relay)
    {
        var now = _time.GetTimestamp();
        if (_failedAt.Count >= Capacity)
        {
            foreach (var (id, at) in _failedAt.OrderBy(kv => kv.Value).Take(_failedAt.Count - Capacity + 1))
            {
                _failedAt.TryRemove(new KeyValuePair<RelayId, long>(id, at));
            }
        }

        _failedAt[relay] = now;
    }

    /// <summary>Whether <paramref name="relay"/> failed an extension less than <see cref="AvoidFor"/> ago.</summary>
    public bool IsAvoided(RelayId relay)
    {
        if (!_failedAt.TryGetValue(relay, out var at))
        {
            return false;
        }

        if (_time.GetElapsedTime(at) < AvoidFor)
        {
            return true;
        }

        _failedAt.TryRemove(new KeyValuePair<RelayId, long>(relay, at));
        return false;
    }
}
