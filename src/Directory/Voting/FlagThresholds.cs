using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Voting;

/// <summary>
/// The thresholds an authority applies when it assigns flags and weights in its vote. Each authority publishes the flag
/// values it used as network parameters in its vote (names starting with <c>Flag</c>), so the consensus shows their
/// median; the public network uses the defaults, a testnet small values.
/// </summary>
public sealed record FlagThresholds
{
    /// <summary>A relay is Running when its latest descriptor was published at most this long ago.</summary>
    public TimeSpan RunningMaxDescriptorAge { get; init; } = TimeSpan.FromHours(18);

    /// <summary>A relay is Stable once the authority has known it this long.</summary>
    public TimeSpan StableMinKnown { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A relay is Fast with at least this advertised bandwidth (bytes per second).</summary>
    public uint FastMinBandwidth { get; init; } = 100_000;

    /// <summary>A Stable and Fast relay is a Guard once known this long.</summary>
    public TimeSpan GuardMinKnown { get; init; } = TimeSpan.FromDays(8);

    /// <summary>A Guard needs at least this advertised bandwidth (bytes per second).</summary>
    public uint GuardMinBandwidth { get; init; } = 250_000;

    /// <summary>A Stable relay that supports HsDir is an HSDir once known this long.</summary>
    public TimeSpan HsDirMinKnown { get; init; } = TimeSpan.FromDays(4);

    /// <summary>
    /// A relay known for less than this is weighted at most <see cref="NewRelayMaxWeight"/>: no authority measures
    /// bandwidth, so a new relay's claim is not believed until it has stayed (TEST-MATRIX DIR-03).
    /// </summary>
    public TimeSpan FullWeightMinKnown { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The weight (kB/s) of a relay known less than <see cref="FullWeightMinKnown"/>, at most: Tor's 20 kB/s
    /// for a relay no bandwidth authority has measured.</summary>
    public uint NewRelayMaxWeight { get; init; } = 20;

    /// <summary>The most weight (kB/s) any relay's claim earns: Tor's 10 MB/s "believable" bandwidth.</summary>
    public uint MaxWeight { get; init; } = 10_000;

    /// <summary>Small values for a test network whose relays are minutes old.</summary>
    public static FlagThresholds Testnet { get; } = new()
    {
        FullWeightMinKnown = TimeSpan.Zero,
        RunningMaxDescriptorAge = TimeSpan.FromHours(18),
        StableMinKnown = TimeSpan.Zero,
        FastMinBandwidth = 1,
        GuardMinKnown = TimeSpan.Zero,
        GuardMinBandwidth = 1,
        HsDirMinKnown = TimeSpan.Zero,
    };

    /// <summary>The thresholds as network parameters (seconds and bytes per second, clamped to 32 bits).</summary>
    public IEnumerable<KeyValuePair<string, int>> ToParameters() =>
    [
        new("FlagFastMinBandwidth", Clamp(FastMinBandwidth)),
        new("FlagGuardMinBandwidth", Clamp(GuardMinBandwidth)),
        new("FlagGuardMinKnownSeconds", Seconds(GuardMinKnown)),
        new("FlagHsDirMinKnownSeconds", Seconds(HsDirMinKnown)),
        new("FlagRunningMaxAgeSeconds", Seconds(RunningMaxDescriptorAge)),
        new("FlagStableMinKnownSeconds", Seconds(StableMinKnown)),
    ];

    /// <summary>The flags for a relay whose descriptor is <paramref name="descriptor"/>, first seen at <paramref name="firstSeen"/>.</summary>
    public RelayFlags FlagsFor(RelayDescriptor descriptor, DateTimeOffset firstSeen, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var known = now - firstSeen;
        var flags = RelayFlags.Valid;
        if (now - descriptor.Published <= RunningMaxDescriptorAge)
        {
            flags |= RelayFlags.Running;
        }

        if (known >= StableMinKnown)
        {
            flags |= RelayFlags.Stable;
        }

        if (descriptor.Bandwidth >= FastMinBandwidth)
        {
            flags |= RelayFlags.Fast;
        }

        if ((flags & (RelayFlags.Stable | RelayFlags.Fast)) == (RelayFlags.Stable | RelayFlags.Fast) &&
            known >= GuardMinKnown && descriptor.Bandwidth >= GuardMinBandwidth)
        {
            flags |= RelayFlags.Guard;
        }

        if ((flags & RelayFlags.Stable) != 0 && known >= HsDirMinKnown && descriptor.Protocols.Supports("HsDir", 1))
        {
            flags |= RelayFlags.HSDir;
        }

        return flags;
    }

    /// <summary>
    /// The weight (<c>w</c>) for a relay whose descriptor is <paramref name="descriptor"/>, first seen at
    /// <paramref name="firstSeen"/>: its advertised bandwidth in kB/s, at least 1, at most <see cref="MaxWeight"/>,
    /// and at most <see cref="NewRelayMaxWeight"/> while it is known for less than <see cref="FullWeightMinKnown"/>.
    /// </summary>
    public uint WeightFor(RelayDescriptor descriptor, DateTimeOffset firstSeen, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var cap = now - firstSeen < FullWeightMinKnown ? Math.Min(NewRelayMaxWeight, MaxWeight) : MaxWeight;
        return Math.Clamp(descriptor.Bandwidth / 1000, 1u, Math.Max(1u, cap));
    }

    private static int Clamp(uint value) => (int)Math.Min(value, int.MaxValue);

    private static int Seconds(TimeSpan value) => (int)Math.Clamp(value.TotalSeconds, 0, int.MaxValue);
}
