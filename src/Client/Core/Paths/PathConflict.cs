namespace HiddenPoint.Client.Paths;

/// <summary>Why two relays may not be hops of one circuit; <see cref="None"/> when they may.</summary>
public enum PathConflict
{
    /// <summary>They may share a circuit.</summary>
    None = 0,

    /// <summary>They are the same relay.</summary>
    SameRelay,

    /// <summary>Some address of one is in the same IPv4 /16 or IPv6 /32 as some address of the other (when
    /// <see cref="PathOptions.EnforceDistinctSubnets"/> is on).</summary>
    SameSubnet,

    /// <summary>They are one family (<see cref="IRelayFamilies"/>).</summary>
    SameFamily,
}
