using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Relay.Circuits;

/// <summary>The consensus's relays indexed by link key, rebuilt when the consensus changes.</summary>
internal sealed class RelayIndex
{
    private RelayIndex(Consensus? consensus, Dictionary<LinkPublicKey, RelayStatus> byLinkKey)
    {
        Consensus = consensus;
        ByLinkKey = byLinkKey;
    }

    public static RelayIndex Empty { get; } = new(null, []);

    public Consensus? Consensus { get; }

    /// <summary>Relays by link key (X25519 keys hash with a per-process key, so lookups by a peer's key are safe).</summary>
    public Dictionary<LinkPublicKey, RelayStatus> ByLinkKey { get; }

    public static RelayIndex Build(Consensus consensus)
    {
        var byLinkKey = new Dictionary<LinkPublicKey, RelayStatus>(consensus.Relays.Count);
        foreach (var relay in consensus.Relays)
        {
            byLinkKey.TryAdd(relay.LinkKey, relay);
        }

        return new RelayIndex(consensus, byLinkKey);
    }
}
