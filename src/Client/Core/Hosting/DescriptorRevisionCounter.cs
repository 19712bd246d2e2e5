using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// The revision counters of a host's descriptors. An HSDir keeps a descriptor only when its counter is above the one
/// it holds for the blinded key (and above that key's revision floor), so the counter must only grow for a period, across
/// restarts too. It is derived from time instead of persisted: the milliseconds from the start of the period
/// <em>before</em> the descriptor's period to now. That base lies at least one period length before any moment a host
/// publishes for that period (it publishes for the periods of the consensus' two shared random values, the later of
/// which starts at most one period after the consensus), so the value is positive, and it rises with the clock whatever
/// happens to the process. Within one process two descriptors built in the same millisecond still get rising values:
/// each counter is at least the last one given for the period plus one.
/// </summary>
/// <remarks>
/// A clock set back across a restart could repeat a value, and the HSDirs would refuse the upload (<c>Rejected</c>)
/// until the clock has passed the old value; Tor accepts the same trade with its time-derived counters (prop. 288).
/// The counter says to an HSDir how far into the period the descriptor was made, which it sees anyway by when the
/// upload arrives. One owner: the host's publisher.
/// </remarks>
internal sealed class DescriptorRevisionCounter
{
    private readonly Dictionary<TimePeriod, ulong> _last = [];

    /// <summary>The counter for a descriptor of <paramref name="period"/> built at <paramref name="now"/>.</summary>
    public ulong Next(TimePeriod period, DateTimeOffset now)
    {
        var since = now - period.Start.AddMinutes(-period.LengthMinutes);
        var derived = since <= TimeSpan.Zero ? 0UL : (ulong)since.Ticks / TimeSpan.TicksPerMillisecond;
        var next = _last.TryGetValue(period, out var last) && derived <= last ? last + 1 : derived;
        _last[period] = next;

        // Counters of periods long past are of no use again.
        if (_last.Count > 8)
        {
            foreach (var old in _last.Keys.Where(p => p.Number + 4 < period.Number).ToList())
            {
                _last.Remove(old);
            }
        }

        return next;
    }
}
