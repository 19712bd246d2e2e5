using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Network.Directory;

namespace HiddenPoint.Network.HiddenPoints;

/// <summary>
/// The <see cref="HsDirView"/> of the consensus a relay or client may use now, built once per consensus: rings are
/// recomputed only when <see cref="IConsensusSource"/> gives out a different consensus. Thread-safe without locks; two
/// callers racing on a new consensus may both build its view, and either result is the same.
/// </summary>
/// <param name="consensus">Where the usable consensus comes from.</param>
/// <param name="labels">The ring's labels; HiddenPoint's when absent.</param>
public sealed class HsDirViewSource(IConsensusSource consensus, HsDirRingLabels? labels = null)
{
    private readonly IConsensusSource _consensus = consensus ?? throw new ArgumentNullException(nameof(consensus));
    private readonly HsDirRingLabels _labels = labels ?? HsDirRingLabels.Hpc;
    private HsDirView? _view;

    /// <summary>The view of the usable consensus, or why there is none.</summary>
    public bool TryGetView([NotNullWhen(true)] out HsDirView? view, out ConsensusUnavailable reason)
    {
        if (!_consensus.TryGetUsable(out var consensus, out reason))
        {
            view = null;
            return false;
        }

        var cached = Volatile.Read(ref _view);
        if (cached is not null && ReferenceEquals(cached.Consensus, consensus))
        {
            view = cached;
            return true;
        }

        view = HsDirView.Create(consensus, _labels);
        Volatile.Write(ref _view, view);
        return true;
    }
}
