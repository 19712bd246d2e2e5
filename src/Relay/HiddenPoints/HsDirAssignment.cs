using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Relay.Keys;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// This relay's place on the HSDir ring, by the consensus it holds: what <see cref="HsDirStore"/> asks before it keeps
/// a descriptor (is this relay one of the blinded key's HSDirs?) and the network's time it checks certificates at
/// (the consensus <c>valid-after</c>). The ring rule itself is <see cref="HsDirView"/>'s, shared with hosts and clients.
/// </summary>
public sealed class HsDirAssignment
{
    private readonly HsDirViewSource _views;

    /// <summary>Creates the assignment of the relay whose keys are <paramref name="keys"/>.</summary>
    public HsDirAssignment(IConsensusSource consensus, IRelayKeys keys)
        : this(new HsDirViewSource(consensus), (keys ?? throw new ArgumentNullException(nameof(keys))).Id)
    {
    }

    /// <summary>Creates the assignment of relay <paramref name="self"/> over <paramref name="views"/>.</summary>
    public HsDirAssignment(HsDirViewSource views, RelayId self)
    {
        ArgumentNullException.ThrowIfNull(views);
        _views = views;
        Self = self;
    }

    /// <summary>This relay's identity.</summary>
    public RelayId Self { get; }

    /// <summary>The view of the consensus usable now; false when there is none (uploads are then refused).</summary>
    public bool TryGetView([NotNullWhen(true)] out HsDirView? view) => _views.TryGetView(out view, out _);
}
