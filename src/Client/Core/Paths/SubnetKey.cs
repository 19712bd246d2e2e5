using System.Net;
using HiddenPoint.Network.Addressing;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// The network block the path rule counts an address in: an IPv4 address by its /16, an IPv6 address by its /32 (the
/// blocks a single operator or provider commonly holds, as in Tor's path-spec). Built on <see cref="AddressKey"/>, so an
/// IPv4-mapped IPv6 address counts as the IPv4 address it carries.
/// </summary>
internal static class SubnetKey
{
    /// <summary>Bits of an IPv4 address that count.</summary>
    public const int Ipv4PrefixLength = 16;

    /// <summary>Bits of an IPv6 address that count.</summary>
    public const int Ipv6PrefixLength = 32;

    // AddressKey keeps an IPv4 address (or an IPv4-mapped one) as ::ffff:a.b.c.d in Low, with High zero.
    private const ulong MappedMask = 0xFFFF_FFFF_0000_0000;
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000;
    private const ulong Ipv4Mask = 0xFFFF_FFFF_FFFF_0000;

    /// <summary>The key <paramref name="address"/> is compared under.</summary>
    public static AddressKey Of(IPAddress address)
    {
        var key = AddressKey.From(address, Ipv6PrefixLength);
        return key.High == 0 && (key.Low & MappedMask) == MappedPrefix
            ? new AddressKey(0, key.Low & Ipv4Mask)
            : key;
    }
}
