using System.Net;
using System.Net.Sockets;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
    public Originator(Action<LinkOptions>? link = null)
    {
        var linkOptions = new LinkOptions();
        link?.Invoke(linkOptions);
        Runtime = new LinkRuntime(Options.Create(linkOptions), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, _meters);
    }

    /// <summary>The runtime its links run on.</summary>
    public LinkRuntime Runtime { get; }

    /// <summary>Opens a client link to <paramref name="guard"/> at its first listed address.</summary>
    public async Task<Link> ConnectAsync(RelayStatus guard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var address = guard.Addresses[0];
        var socket = new Socket(address.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address.Address, address.Port), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var result = await Runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, guard.LinkKey, null, null, cancellationToken).ConfigureAwait(false);
        var link = result.Link ?? throw new InvalidOperationException($"The link to the guard failed: {result.Failure}.");
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
