using System.Collections.Concurrent;
using System.Net;
using HiddenPoint.Network.Links;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The engine's links and their counts: every open link by kind, the connections still in their handshake, and the
/// one cap (<see cref="RelayEngineOptions.MaxLinks"/>) over all of them. It is also the owner of the engine's link
/// manager (<see cref="ILinkLaunchHandler"/>): a launch is allowed only under the same cap, a launched link answers
/// CREATE2 like any other, and it is counted as <see cref="EngineLinkKind.RelayOut"/>. Safe from any thread.
/// </summary>
internal sealed class EngineLinks(CircuitAcceptor acceptor, int maxLinks) : ILinkLaunchHandler
{
    private readonly ConcurrentDictionary<Link, EngineLinkKind> _links = new();
    private readonly int[] _counts = new int[3];
    private int _handshaking;

    /// <summary>Open links of every kind.</summary>
    public int Count => _links.Count;

    /// <summary>The open links (a live view; enumerating it is safe while links come and go).</summary>
    public ICollection<Link> All => _links.Keys;

    /// <summary>Open links of <paramref name="kind"/>.</summary>
    public int CountOf(EngineLinkKind kind) => Volatile.Read(ref _counts[(int)kind]);

    /// <summary>
    /// Counts an accepted connection as in its handshake. False, with nothing counted, when open links and handshakes
    /// in progress already reach the cap: connections stuck in their handshake count too, so that many addresses each
    /// holding handshakes open cannot run the process out of file descriptors.
    /// </summary>
    public bool TryBeginHandshake()
    {
        var handshaking = Interlocked.Increment(ref _handshaking);
        if (_links.Count + handshaking > maxLinks)
        {
            Interlocked.Decrement(ref _handshaking);
            return false;
        }

        return true;
    }

    /// <summary>The connection counted by <see cref="TryBeginHandshake"/> finished its handshake, one way or the other.</summary>
    public void EndHandshake() => Interlocked.Decrement(ref _handshaking);

    /// <summary>Counts an open link until it closes; <paramref name="lease"/> (the admission's) is released then.</summary>
    public void Track(Link link, EngineLinkKind kind, IDisposable? lease)
    {
        _links[link] = kind;
        Interlocked.Increment(ref _counts[(int)kind]);
        _ = UntrackWhenClosedAsync(link, kind, lease);
    }

    /// <inheritdoc/>
    public bool MayLaunch() => _links.Count < maxLinks;

    /// <inheritdoc/>
    public ILinkHandler CreateHandler(IPEndPoint endpoint) => new EngineLink(acceptor, endpoint.Address);

    /// <inheritdoc/>
    public void OnLaunched(Link link, IPEndPoint endpoint) => Track(link, EngineLinkKind.RelayOut, lease: null);

    private async Task UntrackWhenClosedAsync(Link link, EngineLinkKind kind, IDisposable? lease)
    {
        await link.Completion.ConfigureAwait(false);
        _links.TryRemove(link, out _);
        Interlocked.Decrement(ref _counts[(int)kind]);
        lease?.Dispose();
    }
}
