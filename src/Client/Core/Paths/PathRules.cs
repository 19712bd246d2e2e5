using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// The rules every circuit obeys (docs/client.md §2): only Running and Valid relays; no relay twice; no two relays in
/// one IPv4 /16 or IPv6 /32; no two relays of one family.
/// </summary>
public sealed class PathRules
{
    /// <summary>The rules with the given family source and options.</summary>
    public PathRules(IRelayFamilies families, PathOptions options)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Families = families;
        EnforceDistinctSubnets = options.EnforceDistinctSubnets;
    }

    /// <summary>Where family membership comes from.</summary>
    public IRelayFamilies Families { get; }

    /// <summary>Whether the subnet rule is on (<see cref="PathOptions.EnforceDistinctSubnets"/>).</summary>
    public bool EnforceDistinctSubnets { get; }

    /// <summary>True when <paramref name="relay"/> is listed Running and Valid, the least any hop needs.</summary>
    public static bool IsUsable(RelayStatus relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return (relay.Flags & (RelayFlags.Running | RelayFlags.Valid)) == (RelayFlags.Running | RelayFlags.Valid);
    }

    /// <summary>Why <paramref name="a"/> and <paramref name="b"/> may not share a circuit, or <see cref="PathConflict.None"/>.</summary>
    public PathConflict Check(RelayStatus a, RelayStatus b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Id == b.Id)
        {
            return PathConflict.SameRelay;
        }

        if (EnforceDistinctSubnets && ShareSubnet(a, b))
        {
            return PathConflict.SameSubnet;
        }

        return Families.AreFamily(a, b) ? PathConflict.SameFamily : PathConflict.None;
    }

    /// <summary>The first conflict of <paramref name="candidate"/> with any relay of <paramref name="path"/>.</summary>
    public PathConflict Check(RelayStatus candidate, IReadOnlyList<RelayStatus> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var i = 0; i < path.Count; i++)
        {
            var conflict = Check(candidate, path[i]);
            if (conflict != PathConflict.None)
            {
                return conflict;
            }
        }

        return PathConflict.None;
    }

    private static bool ShareSubnet(RelayStatus a, RelayStatus b)
    {
        foreach (var x in a.Addresses)
        {
            var key = SubnetKey.Of(x.Address);
            foreach (var y in b.Addresses)
            {
                if (key == SubnetKey.Of(y.Address))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
