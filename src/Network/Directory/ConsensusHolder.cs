using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Directory;

/// <summary>
/// Placeholder with the agreed signatures; its owner replaces the body. The consensus a relay or client holds: only
/// a document signed by more than half of the pinned authorities, never older than the one held, is taken; it is used
/// until valid-until and for a grace period after (with a warning), then there is no usable consensus.
/// Thread-safe: fetchers offer documents while circuits read the current one.
/// </summary>
public sealed class ConsensusHolder : IConsensusSource
{
    /// <summary>Creates a holder that trusts <paramref name="pinnedAuthorities"/>.</summary>
    public ConsensusHolder(IReadOnlyCollection<AuthorityId> pinnedAuthorities, TimeProvider timeProvider, TimeSpan? grace = null)
    {
        ArgumentNullException.ThrowIfNull(pinnedAuthorities);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _ = grace;
    }

    /// <summary>Raised (on the offering thread) when a newer consensus has been taken.</summary>
    public event EventHandler<Consensus>? Changed;

    /// <summary>The last consensus taken, usable or not.</summary>
    public Consensus? Latest => throw new NotImplementedException();

    /// <summary>The exact signed bytes of <see cref="Latest"/>, as a directory cache serves them.</summary>
    public ReadOnlyMemory<byte> LatestDocument => throw new NotImplementedException();

    /// <summary>Parses, verifies and, when newer, takes <paramref name="signedDocument"/>.</summary>
    public ConsensusOfferResult Offer(ReadOnlySpan<byte> signedDocument) => throw new NotImplementedException();

    /// <summary>The consensus to use now, or why there is none.</summary>
    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason) => throw new NotImplementedException();

    private void OnChanged(Consensus consensus) => Changed?.Invoke(this, consensus);
}

/// <summary>Why no consensus is usable now.</summary>
public enum ConsensusUnavailable
{
    /// <summary>A consensus is usable.</summary>
    None = 0,

    /// <summary>None has been taken yet.</summary>
    NoneYet,

    /// <summary>The one held is past valid-until plus the grace period.</summary>
    Expired,

    /// <summary>The one held is not valid yet (the local clock is behind).</summary>
    NotYetValid,
}

/// <summary>What became of an offered consensus.</summary>
/// <param name="Accepted">True when it is now the held consensus.</param>
/// <param name="ParseError">Set when the document did not parse.</param>
/// <param name="SignatureError">Set when too few valid signatures from pinned authorities.</param>
/// <param name="Timeliness">Its validity at the time of the offer.</param>
/// <param name="NotNewer">True when it is not newer than the one held (a rollback or the same).</param>
public readonly record struct ConsensusOfferResult(
    bool Accepted,
    DocumentError ParseError,
    SignatureError SignatureError,
    Timeliness Timeliness,
    bool NotNewer);
