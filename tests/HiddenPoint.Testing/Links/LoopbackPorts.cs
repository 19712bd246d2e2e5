using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Testing;

/// <summary>Ports of 127.0.0.1 for tests that need a number before anything listens on it.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port nothing listens on: the system gave it to a listener a moment ago, which has closed. For a server the test
    /// starts next, or as an address where nothing answers.
    /// </summary>
    public static ushort Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (ushort)((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
