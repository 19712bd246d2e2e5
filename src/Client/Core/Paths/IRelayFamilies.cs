using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// Whether two relays are run by one operator (one family), so that a path never holds both: an operator who runs two
/// hops of one circuit sees both of its ends. A relay is always a family with itself.
/// </summary>
/// <remarks>
/// The consensus lists no families yet. When relay descriptors and consensus entries gain their declared family
/// members, the implementation to wire here is the mutual rule: A and B are one family when A lists B and B lists A
/// (a one-sided claim proves nothing: anyone can name any relay).
/// </remarks>
public interface IRelayFamilies
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> must not share a circuit as one family.</summary>
    bool AreFamily(RelayStatus a, RelayStatus b);
}

/// <summary>The families the consensus declares today: none, so only a relay and itself are one family.</summary>
public sealed class NoDeclaredFamilies : IRelayFamilies
{
    /// <summary>The one instance.</summary>
    public static NoDeclaredFamilies Instance { get; } = new();

    private NoDeclaredFamilies()
    {
    }

    /// <inheritdoc/>
    public bool AreFamily(RelayStatus a, RelayStatus b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id;
    }
}
