using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Directory;

/// <summary>
/// Where a relay or client reads the consensus it may use now. <see cref="ConsensusHolder"/> is the real one; tests
/// may pass a fixed, verified consensus.
/// </summary>
public interface IConsensusSource
{
    /// <summary>The consensus to use now, or why there is none.</summary>
    bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason);

    /// <summary>The exact signed bytes of the consensus held (what a directory cache serves); empty when none.</summary>
    ReadOnlyMemory<byte> LatestDocument { get; }
}
