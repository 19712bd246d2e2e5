using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testing;

/// <summary>
/// A client or a host in this process: its link runtime, client links (Noise NK) to guards over loopback, and circuits
/// built with the client API. Disposing closes its links.
/// </summary>
public sealed class Originator : IAsyncDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly List<Link> _links = [];

    /// <summary>An originator with default link and circuit options, or those <paramref name="link"/> sets.</summary>
    public Originator(Action<LinkOptions>? link = null) => Runtime = TestLinks.Runtime(link: link, meters: _meters);

    /// <summary>The runtime its links run on.</summary>
    public LinkRuntime Runtime { get; }

    /// <summary>Opens a client link to <paramref name="guard"/> at its first listed address.</summary>
    public Task<Link> ConnectAsync(RelayStatus guard, CancellationToken cancellationToken = default) => ConnectAsync(guard, null, cancellationToken);

    /// <summary>
    /// Opens a client link to <paramref name="guard"/> at its first listed address, from <paramref name="from"/> when
    /// given (any 127/8 address).
    /// </summary>
    public async Task<Link> ConnectAsync(RelayStatus guard, IPAddress? from, CancellationToken cancellationToken = default)
    {
        var link = await TestLinks.ConnectToRelayAsync(Runtime, guard, from, cancellationToken).ConfigureAwait(false);
        lock (_links)
        {
            _links.Add(link);
        }

        return link;
    }

    /// <summary>A circuit through <paramref name="path"/> (guard first), over a new link to the guard.</summary>
    public async Task<ClientCircuit> BuildAsync(IReadOnlyList<RelayStatus> path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var circuit = await ClientCircuit.CreateAsync(await ConnectAsync(path[0], cancellationToken).ConfigureAwait(false), path[0], cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < path.Count; i++)
        {
            await circuit.ExtendAsync(path[i], cancellationToken).ConfigureAwait(false);
        }

        return circuit;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Link[] links;
        lock (_links)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        Runtime.Dispose();
        _meters.Dispose();
    }
}
