using System.Net;
using HiddenPoint.Network.Addressing;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>Why <see cref="RequestGate.TryEnter"/> turned a request away.</summary>
internal enum GateRefusal
{
    /// <summary>Let in.</summary>
    None = 0,

    /// <summary>As many requests as the endpoint allows are already in progress (HTTP 503).</summary>
    Busy,

    /// <summary>As many requests from this source as the endpoint allows are already in progress (HTTP 429).</summary>
    SourceBusy,
}

/// <summary>
/// Bounds how many requests of one endpoint are in progress at once, in all and per source (an IPv4 address, or an
/// IPv6 /64), so that what the endpoint buffers is bounded whatever the number of connections. Holds an entry only
/// per source with a request in progress, so its own size is bounded by the total cap. Thread-safe.
/// </summary>
internal sealed class RequestGate
{
    private readonly Lock _lock = new();
    private readonly Dictionary<AddressKey, int> _perSource = new(new KeyedAddressComparer());
    private int _inFlight;

    public RequestGate(int maxInFlight, int maxPerSource)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerSource, 1);
        MaxInFlight = maxInFlight;
        MaxPerSource = maxPerSource;
    }

    /// <summary>Requests in progress at once, in all.</summary>
    public int MaxInFlight { get; }

    /// <summary>Requests in progress at once from one source.</summary>
    public int MaxPerSource { get; }

    /// <summary>Requests in progress now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Lets a request from <paramref name="source"/> in when there is room; dispose the lease when it ends.</summary>
    public GateRefusal TryEnter(IPAddress source, out IDisposable? lease)
    {
        ArgumentNullException.ThrowIfNull(source);
        lease = null;
        var key = AddressKey.From(source, AddressKey.DefaultIpv6PrefixLength);
        lock (_lock)
        {
            if (_inFlight >= MaxInFlight)
            {
                return GateRefusal.Busy;
            }

            var fromSource = _perSource.GetValueOrDefault(key);
            if (fromSource >= MaxPerSource)
            {
                return GateRefusal.SourceBusy;
            }

            _perSource[key] = fromSource + 1;
            _inFlight++;
        }

        lease = new Lease(this, key);
        return GateRefusal.None;
    }

    private void Leave(AddressKey key)
    {
        lock (_lock)
        {
            _inFlight--;
            var left = _perSource[key] - 1;
            if (left == 0)
            {
                _perSource.Remove(key);
            }
            else
            {
                _perSource[key] = left;
            }
        }
    }

    private sealed class Lease(RequestGate gate, AddressKey key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Leave(key);
            }
        }
    }
}
