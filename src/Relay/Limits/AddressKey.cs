using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// The unit an address is counted as: an IPv4 address exactly (as its IPv4-mapped IPv6 form, so a dual-stack socket
/// counts it the same), an IPv6 address by its first <see cref="RelayLimitsOptions.Ipv6PrefixLength"/> bits.
/// 128 bits, no allocation.
/// </summary>
internal readonly record struct AddressKey(ulong High, ulong Low)
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000;

    public static AddressKey From(IPAddress address, int ipv6PrefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return new AddressKey(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        address.TryWriteBytes(bytes, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        if (high == 0 && (low & 0xFFFF_FFFF_0000_0000) == MappedPrefix)
        {
            return new AddressKey(0, low);
        }

        if (ipv6PrefixLength >= 128)
        {
            return new AddressKey(high, low);
        }

        if (ipv6PrefixLength == 64)
        {
            return new AddressKey(high, 0);
        }

        if (ipv6PrefixLength > 64)
        {
            return new AddressKey(high, low & (ulong.MaxValue << (128 - ipv6PrefixLength)));
        }

        return new AddressKey(high & (ulong.MaxValue << (64 - ipv6PrefixLength)), 0);
    }
}

/// <summary>
/// Hashes <see cref="AddressKey"/>s with a secret random key (<see cref="HashCode"/>'s per-process seed and a salt
/// per comparer): source addresses are chosen by whoever connects, and must not be able to pile into one bucket.
/// </summary>
internal sealed class KeyedAddressComparer : IEqualityComparer<AddressKey>
{
    private readonly ulong _salt = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong)));

    public bool Equals(AddressKey x, AddressKey y) => x == y;

    public int GetHashCode(AddressKey obj) => HashCode.Combine(obj.High, obj.Low, _salt);
}
