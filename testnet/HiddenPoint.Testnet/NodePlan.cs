using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Testnet;

/// <summary>Which program a node runs.</summary>
internal enum NodeRole
{
    /// <summary><c>hpc-directory</c>.</summary>
    Authority = 1,

    /// <summary><c>hpc-relay</c>.</summary>
    Relay = 2,

    /// <summary>A user: <c>hpc-client daemon</c> on the user's data directory.</summary>
    User = 3,
}

/// <summary>Where one node of the testnet listens: its own 127.N.0.1 address, so that no two nodes share a /16.</summary>
/// <param name="Name">The node's name and nickname: auth1, auth2, ...; relay1, relay2, ...</param>
/// <param name="Role">The program it runs.</param>
/// <param name="Address">Its loopback address, 127.N.0.1.</param>
/// <param name="Port">The port it listens on (the authority's HTTP API, the relay's link listener).</param>
internal sealed record NodePlan(string Name, NodeRole Role, string Address, int Port)
{
    /// <summary>The first port tried for an authority's HTTP API.</summary>
    public const int FirstAuthorityPort = 7000;

    /// <summary>The first port tried for a relay's link listener (the relay's default port).</summary>
    public const int FirstRelayPort = 9001;

    /// <summary><c>address:port</c>.</summary>
    public string Endpoint => Address + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The nodes of a testnet with <paramref name="relays"/> relays and <paramref name="authorities"/> authorities
    /// (three unless given): authorities on 127.1.0.1, 127.2.0.1, 127.3.0.1, relays on the next addresses. Each
    /// node's port is the first one from its role's first port (the usual ports unless given) that
    /// <paramref name="isFree"/> finds free on its address.
    /// </summary>
    public static IReadOnlyList<NodePlan> Plan(int relays, Func<IPAddress, int, bool> isFree, int firstAuthorityPort = FirstAuthorityPort, int firstRelayPort = FirstRelayPort, int authorities = RunOptions.Authorities)
    {
        ArgumentNullException.ThrowIfNull(isFree);
        ArgumentOutOfRangeException.ThrowIfLessThan(authorities, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(authorities, RunOptions.MaxAuthorities);
        ArgumentOutOfRangeException.ThrowIfLessThan(relays, RunOptions.MinRelays);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(relays, 254 - authorities);
        var nodes = new List<NodePlan>(authorities + relays);
        for (var i = 0; i < authorities + relays; i++)
        {
            var authority = i < authorities;
            var address = new IPAddress([127, (byte)(i + 1), 0, 1]);
            var port = FreePort(address, authority ? firstAuthorityPort : firstRelayPort, isFree);
            var name = authority
                ? "auth" + (i + 1).ToString(CultureInfo.InvariantCulture)
                : "relay" + (i + 1 - authorities).ToString(CultureInfo.InvariantCulture);
            nodes.Add(new NodePlan(name, authority ? NodeRole.Authority : NodeRole.Relay, address.ToString(), port));
        }

        return nodes;
    }

    /// <summary>True when a TCP listener can bind <paramref name="address"/>:<paramref name="port"/> now.</summary>
    public static bool IsPortFree(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Another testnet (a developer's, next to CI's) may hold the usual port on the same address: take the next one.
    private static int FreePort(IPAddress address, int first, Func<IPAddress, int, bool> isFree)
    {
        for (var port = first; port < first + 500; port++)
        {
            if (isFree(address, port))
            {
                return port;
            }
        }

        throw new TestnetException($"no free port on {address} from {first} to {first + 499}.");
    }
}
