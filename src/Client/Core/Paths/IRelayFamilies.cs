using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// Whether two relays are run by one operator (one family), so that a path never holds both: an operator who runs two
/// hops of one circuit sees both of its ends. A relay is always a family with itself.
/// </summary>
public interface IRelayFamilies
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> must not share a circuit as one family.</summary>
    bool AreFamily(RelayStatus a, RelayStatus b);
}

/// <summary>
/// The families the consensus declares: A and B are one family when A's entry lists B and B's lists A
/// (<see cref="RelayFamily.AreFamily"/>); a one-sided claim proves nothing, since any relay can name any other.
/// </summary>
public sealed class ConsensusFamilies : IRelayFamilies
{
    /// <summary>The one instance.</summary>
    public static ConsensusFamilies Instance { get; } = new();

    private ConsensusFamilies()
    {
    }

    /// <inheritdoc/>
    public bool AreFamily(RelayStatus a, RelayStatus b) => RelayFamily.AreFamily(a, b);
}
