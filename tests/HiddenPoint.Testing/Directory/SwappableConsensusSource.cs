using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testing;

/// <summary>A consensus source holding one verified consensus (none at first), which the test sets and replaces.</summary>
public sealed class SwappableConsensusSource : IConsensusSource
{
    private Consensus? _value;

    /// <summary>The consensus served, or null for none yet.</summary>
    public Consensus? Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> LatestDocument => Value?.Document ?? default;

    /// <inheritdoc/>
    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
    {
        consensus = Value;
        reason = consensus is null ? ConsensusUnavailable.NoneYet : ConsensusUnavailable.None;
        return consensus is not null;
    }
}
