using HiddenPoint.Network.Links;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Testing;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// What the relay benchmarks set apart from the tests' relays and clients (HiddenPoint.Testing's <see cref="TestRelay"/>
/// and <see cref="Originator"/>): no per-link rate, and closed circuits' ids let go soon, since circuits are built and
/// closed thousands of times a second here.
/// </summary>
internal static class RelayBench
{
    /// <summary>
    /// Link options for benchmarks. The default per-link rate (200,000 cells/s) is a defence, not a figure to measure
    /// against; and on the network a closed circuit's id waits 30 s on its link, where 8,192 ids fill a link: let them go
    /// after a second, and have room for them meanwhile.
    /// </summary>
    public static void Unthrottled(LinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxCellsPerSecond = 10_000_000;
        options.CellBurst = 10_000_000;
        options.DestroyedCircuitLinger = TimeSpan.FromSeconds(1);
        options.MaxCircuitsPerLink = 1_000_000;
    }

    /// <summary>
    /// Starts relay <paramref name="index"/> on loopback, unthrottled and logging nowhere, whose roles are
    /// <paramref name="role"/>, but for <paramref name="rendezvous"/> when given.
    /// </summary>
    public static TestRelay StartRelay(int index, IRelayMessageRole role, IRelayMessageRole? rendezvous = null)
    {
        var relay = new TestRelay(index, options => Unthrottled(options.Link), role: role, rendezvous: rendezvous, quiet: true);
        relay.StartAsync().GetAwaiter().GetResult();
        return relay;
    }
}
