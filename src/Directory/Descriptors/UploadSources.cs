using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HiddenPoint.Network.Addressing;

namespace HiddenPoint.DirectoryAuthority.Descriptors;

/// <summary>
/// The descriptor upload rate limit: each source may upload <see cref="DescriptorStoreOptions.UploadsPerWindow"/>
/// documents per <see cref="DescriptorStoreOptions.RateWindow"/>. A source is an IPv4 address, or an IPv6 /64 (one
/// customer holds a whole /64, so exact IPv6 addresses would let one sender be 2^64 sources). At most
/// <see cref="DescriptorStoreOptions.MaxTrackedSources"/> are tracked; when the table is full, room is made rather
/// than a newcomer refused, so no flood of sources can lock out another sender. Not thread-safe: the store calls it
/// under its lock.
/// </summary>
internal sealed class UploadSources
{
    private readonly DescriptorStoreOptions _options;
    private readonly Dictionary<AddressKey, Window> _windows = new(new KeyedAddressComparer());

    public UploadSources(DescriptorStoreOptions options) => _options = options;

    /// <summary>How many sources are tracked.</summary>
    public int Count => _windows.Count;

    /// <summary>Counts one upload from <paramref name="source"/>; false when its window's allowance is used up.</summary>
    public bool TryCharge(IPAddress source, DateTimeOffset now)
    {
        var key = AddressKey.From(source, AddressKey.DefaultIpv6PrefixLength);
        ref var window = ref CollectionsMarshal.GetValueRefOrNullRef(_windows, key);
        if (!Unsafe.IsNullRef(ref window))
        {
            if (now.UtcTicks - window.StartTicks < _options.RateWindow.Ticks)
            {
                if (window.Count >= _options.UploadsPerWindow)
                {
                    return false;
                }

                window.Count++;
                return true;
            }

            window = new Window(now, 1);
            return _options.UploadsPerWindow > 0;
        }

        if (_windows.Count >= _options.MaxTrackedSources)
        {
            MakeRoom(now);
        }

        _windows[key] = new Window(now, 1);
        return _options.UploadsPerWindow > 0;
    }

    // Frees an eighth of the table in one pass, so that under a flood of new sources each costs O(1) on average:
    // first sources whose window has ended (they would start afresh anyway), then sources below their limit (each
    // loses at most a partly used allowance), and only if that is not enough, sources at their limit. Sources being
    // held back are kept longest, so forgetting is worth least to the ones the limit is stopping.
    private void MakeRoom(DateTimeOffset now)
    {
        var budget = Math.Max(1, _options.MaxTrackedSources / 8);
        var removed = Sweep(budget, (in Window w) => now.UtcTicks - w.StartTicks >= _options.RateWindow.Ticks);
        if (removed < budget)
        {
            removed += Sweep(budget - removed, (in Window w) => w.Count < _options.UploadsPerWindow);
        }

        if (removed < budget)
        {
            Sweep(budget - removed, static (in Window _) => true);
        }
    }

    private int Sweep(int budget, WindowPredicate evict)
    {
        var removed = 0;
        foreach (var (key, window) in _windows)
        {
            if (evict(window))
            {
                // Removing during enumeration is allowed for Dictionary.
                _windows.Remove(key);
                if (++removed >= budget)
                {
                    break;
                }
            }
        }

        return removed;
    }

    private delegate bool WindowPredicate(in Window window);

    // 12 bytes of value per source: with the 16-byte key and the table's own fields, about 40 bytes each.
    private struct Window(DateTimeOffset start, int count)
    {
        public long StartTicks = start.UtcTicks;
        public int Count = count;
    }
}
