namespace HiddenPoint.Relay.Diagnostics;

/// <summary>
/// Lets one log line per kind through every <c>interval</c> and counts the ones it held back, so that a flood of the
/// same event (a peer breaking the protocol thousands of times a second) costs the log one line per kind per interval,
/// which carries how many it stands for. Kinds are small non-negative integers (an enum's values). Safe from any
/// thread; the lock is held for a comparison and two writes.
/// </summary>
internal sealed class LogRateLimiter
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly long[] _nextAllowed;
    private readonly long[] _heldBack;
    private readonly bool[] _seen;

    /// <summary>A limiter for kinds 0 to <paramref name="kinds"/> − 1, one line each per <paramref name="interval"/>.</summary>
    public LogRateLimiter(int kinds, TimeSpan interval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kinds);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
        _nextAllowed = new long[kinds];
        _heldBack = new long[kinds];
        _seen = new bool[kinds];
    }

    /// <summary>
    /// True when a line of <paramref name="kind"/> may be written now; <paramref name="heldBack"/> is then the number
    /// of events of that kind not logged since the last line. False (and the event counted) otherwise.
    /// </summary>
    public bool TryEnter(int kind, out long heldBack)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_seen[kind] && now < _nextAllowed[kind])
            {
                _heldBack[kind]++;
                heldBack = 0;
                return false;
            }

            _seen[kind] = true;
            _nextAllowed[kind] = now + _intervalTicks;
            heldBack = _heldBack[kind];
            _heldBack[kind] = 0;
            return true;
        }
    }
}
