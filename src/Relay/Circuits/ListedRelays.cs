using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The relays the consensus lists, as the engine asks about them: by a link's proven key (is the peer a listed relay?)
/// and, through <see cref="Current"/>, by identity. The link-key index is rebuilt once per consensus the source hands
/// out; readers meanwhile use either one. Safe from any thread.
/// </summary>
internal sealed class ListedRelays(IConsensusSource source, ILogger logger)
{
    private RelayIndex _index = RelayIndex.Empty;
    private int _noConsensusLogged;

    /// <summary>The index of the usable consensus, or <see cref="RelayIndex.Empty"/> (logged once) when there is none.</summary>
    public RelayIndex Current
    {
        get
        {
            if (!source.TryGetUsable(out var consensus, out var reason))
            {
                if (Interlocked.Exchange(ref _noConsensusLogged, 1) == 0)
                {
                    RelayEngineLog.NoConsensus(logger, reason);
                }

                return RelayIndex.Empty;
            }

            var index = Volatile.Read(ref _index);
            if (ReferenceEquals(index.Consensus, consensus))
            {
                return index;
            }

            index = RelayIndex.Build(consensus);
            Volatile.Write(ref _index, index);
            return index;
        }
    }

    /// <summary>True when <paramref name="link"/> is a relay link whose proven key the consensus lists.</summary>
    public bool IsListedRelay(Link link) => TryGetListedPeer(link, out _);

    /// <summary>The listed relay at the other end of <paramref name="link"/>, found by the link key it proved.</summary>
    public bool TryGetListedPeer(Link link, [NotNullWhen(true)] out RelayStatus? relay)
    {
        relay = null;
        return link.Kind == LinkKind.RelayToRelay && link.PeerLinkKey is { } key && Current.ByLinkKey.TryGetValue(key, out relay);
    }
}
