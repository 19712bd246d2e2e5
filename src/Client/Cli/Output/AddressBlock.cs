using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Client.Cli.Output;

/// <summary>
/// The network block the client's path rule counts an address in (docs/client.md §2: an IPv4 /16, an IPv6 /32, an
/// IPv4-mapped address as its IPv4 address), written as CIDR for display: <c>192.0.0.0/16</c>, <c>2001:db8::/32</c>.
/// </summary>
internal static class AddressBlock
{
    /// <summary>The block of <paramref name="address"/>.</summary>
    public static string Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{bytes[0]}.{bytes[1]}.0.0/16";
        }

        Array.Clear(bytes, 4, bytes.Length - 4);
        return new IPAddress(bytes) + "/32";
    }
}
