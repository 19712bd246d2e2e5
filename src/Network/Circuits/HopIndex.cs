namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A hop of a circuit, counted from its originator: 0 is the first relay (the guard). On a circuit joined at a
/// rendezvous point the hop after the rendezvous point is the end-to-end hop to the other party. Shown 1-based
/// ("hop 1" is the guard), as people count hops.
/// </summary>
/// <param name="Value">The 0-based index.</param>
public readonly record struct HopIndex(byte Value) : IComparable<HopIndex>
{
    /// <summary>The first hop (the guard).</summary>
    public static HopIndex First => default;

    /// <summary>The hop after this one.</summary>
    public HopIndex Next => new(checked((byte)(Value + 1)));

    /// <inheritdoc/>
    public int CompareTo(HopIndex other) => Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public override string ToString() => $"hop {Value + 1}";

    /// <summary>True when <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(HopIndex left, HopIndex right) => left.Value < right.Value;

    /// <summary>True when <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(HopIndex left, HopIndex right) => left.Value > right.Value;

    /// <summary>True when <paramref name="left"/> is not after <paramref name="right"/>.</summary>
    public static bool operator <=(HopIndex left, HopIndex right) => left.Value <= right.Value;

    /// <summary>True when <paramref name="left"/> is not before <paramref name="right"/>.</summary>
    public static bool operator >=(HopIndex left, HopIndex right) => left.Value >= right.Value;
}
