using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace HiddenPoint.Network.Addressing;

/// <summary>
/// The unit a source address is counted as by rate and connection limits: an IPv4 address exactly (as its
/// IPv4-mapped IPv6 form, so a dual-stack socket counts it the same), an IPv6 address by its first
/// <c>ipv6PrefixLength</c> bits (one customer usually holds a whole /64, so counting exact IPv6 addresses would let
/// one sender appear as 2^64). 128 bits, no allocation.
/// </summary>
/// <param name="High">The first 64 bits.</param>
/// <param name="Low">The last 64 bits.</param>
public readonly record struct AddressKey(ulong High, ulong Low)
{
    /// <summary>The prefix length IPv6 sources are grouped by unless configured otherwise.</summary>
    public const int DefaultIpv6PrefixLength = 64;

    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000;

    /// <summary>The key <paramref name="address"/> is counted under.</summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <param name="ipv6PrefixLength">Bits of an IPv6 address that count, 0 to 128 (128 = exact).</param>
    public static AddressKey From(IPAddress address, int ipv6PrefixLength = DefaultIpv6PrefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(ipv6PrefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv6PrefixLength, 128);
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

        return ipv6PrefixLength switch
        {
            128 => new AddressKey(high, low),
            > 64 => new AddressKey(high, low & (ulong.MaxValue << (128 - ipv6PrefixLength))),
            64 => new AddressKey(high, 0),
            0 => new AddressKey(0, 0),
            _ => new AddressKey(high & (ulong.MaxValue << (64 - ipv6PrefixLength)), 0),
        };
    }
}

/// <summary>
/// Hashes <see cref="AddressKey"/>s with a secret random key (<see cref="HashCode"/>'s per-process seed and a salt
/// per comparer): source addresses are chosen by whoever connects, and must not be able to pile into one bucket.
/// </summary>
public sealed class KeyedAddressComparer : IEqualityComparer<AddressKey>
{
    private readonly ulong _salt = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong)));

    /// <inheritdoc/>
    public bool Equals(AddressKey x, AddressKey y) => x == y;

    /// <inheritdoc/>
    public int GetHashCode(AddressKey obj) => HashCode.Combine(obj.High, obj.Low, _salt);
}
