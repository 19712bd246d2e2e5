using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Links;

/// <summary>
/// A relay to link to: its identity, the link key the consensus lists for it (the Noise static key the handshake must
/// prove), and where to dial it. <see cref="LinkManager"/> keeps one link per identity and reuses it only while the
/// link's proven key is <see cref="LinkKey"/>.
/// </summary>
public sealed class LinkTarget
{
    /// <summary>Most endpoints a target may name (a consensus entry lists at most as many addresses).</summary>
    public const int MaxEndpoints = RelayStatus.MaxAddresses;

    private readonly IPEndPoint[] _endpoints;

    /// <summary>Creates a target.</summary>
    /// <exception cref="ArgumentException">No endpoint, more than <see cref="MaxEndpoints"/>, or an empty key.</exception>
    public LinkTarget(RelayId id, LinkPublicKey linkKey, IReadOnlyList<IPEndPoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (id.Key.Bytes.Length == 0 || linkKey.Key.Bytes.Length == 0)
        {
            throw new ArgumentException("A link target needs the relay's identity and link key.", nameof(linkKey));
        }

        if (endpoints.Count is 0 or > MaxEndpoints)
        {
            throw new ArgumentException($"A link target names 1 to {MaxEndpoints} endpoints.", nameof(endpoints));
        }

        _endpoints = new IPEndPoint[endpoints.Count];
        for (var i = 0; i < _endpoints.Length; i++)
        {
            _endpoints[i] = endpoints[i] ?? throw new ArgumentException("An endpoint is missing.", nameof(endpoints));
        }

        Id = id;
        LinkKey = linkKey;
    }

    /// <summary>The relay's identity: the key <see cref="LinkManager"/> keeps its links under.</summary>
    public RelayId Id { get; }

    /// <summary>The relay's link key as the consensus lists it.</summary>
    public LinkPublicKey LinkKey { get; }

    /// <summary>Where to dial, tried in order until one connects.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => _endpoints;

    /// <summary>A target for a relay as the consensus lists it: every listed address, in the listed order.</summary>
    public static LinkTarget For(RelayStatus relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var endpoints = new IPEndPoint[relay.Addresses.Count];
        for (var i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = new IPEndPoint(relay.Addresses[i].Address, relay.Addresses[i].Port);
        }

        return new LinkTarget(relay.Id, relay.LinkKey, endpoints);
    }
}
