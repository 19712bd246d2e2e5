using System.Net;
using System.Net.Sockets;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Client.HiddenPoints;

/// <summary>A consensus relay as link specifiers (identity, first IPv4 and first IPv6 address), the form descriptors and INTRODUCE plaintexts name relays in.</summary>
internal static class RelayLinkSpecifiers
{
    public static LinkSpecifiers Of(RelayStatus relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        IPEndPoint? ipv4 = null;
        IPEndPoint? ipv6 = null;
        foreach (var address in relay.Addresses)
        {
            if (address.Address.AddressFamily == AddressFamily.InterNetwork)
            {
                ipv4 ??= new IPEndPoint(address.Address, address.Port);
            }
            else if (address.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                ipv6 ??= new IPEndPoint(address.Address, address.Port);
            }
        }

        return new LinkSpecifiers(relay.Id, ipv4, ipv6);
    }

    /// <summary>
    /// The relay named by <paramref name="specifiers"/> as <paramref name="consensus"/> lists it, when it does: circuits
    /// are only ever extended to relays of the consensus, with the keys the consensus gives.
    /// </summary>
    public static RelayStatus? Find(Consensus consensus, LinkSpecifiers specifiers) =>
        consensus.TryGetRelay(specifiers.Identity, out var relay) ? relay : null;
}
