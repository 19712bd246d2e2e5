using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.HiddenPoints;

/// <summary>
/// What one consensus says about hidden-point time and the HSDir ring (docs/hidden-point-descriptor.md §11): the one
/// place where hosts, clients and HSDirs decide which time period and which shared random value to use, so that all
/// three agree. Every instant is the consensus <c>valid-after</c>, never the local clock.
/// </summary>
/// <remarks>
/// <para>The consensus carries the values of two periods: <see cref="CurrentValuePeriod"/> (<c>shared-rand-current-value</c>)
/// and the one before, <see cref="PreviousValuePeriod"/> (<c>shared-rand-previous-value</c>). Each value belongs to one
/// period and is used with that period only (rend-spec-v3 §2.2.4, where a client at TP#N always uses SRV#N):</para>
/// <list type="bullet">
/// <item>a <b>client</b> fetches for <see cref="FetchPeriod"/>, the period valid-after falls in, on that period's ring;</item>
/// <item>a <b>host</b> keeps two descriptors, for <see cref="PreviousValuePeriod"/> and <see cref="CurrentValuePeriod"/>,
/// each uploaded to its own period's ring (<see cref="UploadRings"/>); one of the two is always the clients' period, the
/// other covers clients whose consensus is a little older or newer;</item>
/// <item>an <b>HSDir</b> accepts a blinded key only when one of those two rings places it there
/// (<see cref="AcceptsUpload"/>).</item>
/// </list>
/// <para>Rings are built on first use and kept with the view. Thread-safe.</para>
/// </remarks>
public sealed class HsDirView
{
    /// <summary>
    /// How many relays beyond <c>HsDirSpreadStore</c> per replica an HSDir still counts itself among when it checks an
    /// upload: the host's consensus may list a relay or two more or fewer between the key's position and this relay.
    /// </summary>
    public const int UploadSlack = 2;

    private readonly Lazy<HsDirPeriodRing> _previous;
    private readonly Lazy<HsDirPeriodRing> _current;

    private HsDirView(Consensus consensus, HsDirRingLabels labels)
    {
        Consensus = consensus;
        var parameters = consensus.Parameters;
        Schedule = new TimePeriodSchedule((uint)parameters.Get(NetworkParameter.HsDirInterval));
        RingParameters = new HsDirRingParameters
        {
            Replicas = parameters.Get(NetworkParameter.HsDirReplicas),
            SpreadStore = parameters.Get(NetworkParameter.HsDirSpreadStore),
            SpreadFetch = parameters.Get(NetworkParameter.HsDirSpreadFetch),
        };
        RingParameters.Validate();
        FetchPeriod = Schedule.PeriodAt(consensus.ValidAfter);
        CurrentValuePeriod = Schedule.CurrentValuePeriod(consensus.ValidAfter);
        PreviousValuePeriod = CurrentValuePeriod.Previous();
        var previousValue = new SharedRandomValue(consensus.SharedRandomPreviousValue.Span);
        var currentValue = new SharedRandomValue(consensus.SharedRandomCurrentValue.Span);
        _previous = new(() => new HsDirPeriodRing(PreviousValuePeriod, previousValue, consensus.Relays, RingParameters, labels));
        _current = new(() => new HsDirPeriodRing(CurrentValuePeriod, currentValue, consensus.Relays, RingParameters, labels));
    }

    /// <summary>The consensus.</summary>
    public Consensus Consensus { get; }

    /// <summary>The network's time: the consensus <c>valid-after</c>.</summary>
    public DateTimeOffset NetworkTime => Consensus.ValidAfter;

    /// <summary>The period length and offset, from the consensus parameter <c>HsDirInterval</c>.</summary>
    public TimePeriodSchedule Schedule { get; }

    /// <summary>Replicas and spreads, from the consensus parameters.</summary>
    public HsDirRingParameters RingParameters { get; }

    /// <summary>The period <see cref="NetworkTime"/> falls in: clients fetch for it; it is one of the two value periods.</summary>
    public TimePeriod FetchPeriod { get; }

    /// <summary>The period of <c>shared-rand-current-value</c>: a host's second descriptor.</summary>
    public TimePeriod CurrentValuePeriod { get; }

    /// <summary>The period of <c>shared-rand-previous-value</c>: a host's first descriptor.</summary>
    public TimePeriod PreviousValuePeriod { get; }

    /// <summary>The ring clients fetch from.</summary>
    public HsDirPeriodRing FetchRing => RingFor(FetchPeriod)!;

    /// <summary>The rings a host uploads its first and second descriptors to, in that order.</summary>
    public IReadOnlyList<HsDirPeriodRing> UploadRings => [_previous.Value, _current.Value];

    /// <summary>The view of <paramref name="consensus"/> under <paramref name="labels"/> (HiddenPoint's when absent).</summary>
    /// <exception cref="ArgumentException">The consensus is from before the second period of its schedule.</exception>
    public static HsDirView Create(Consensus consensus, HsDirRingLabels? labels = null)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        return new HsDirView(consensus, labels ?? HsDirRingLabels.Hpc);
    }

    /// <summary>The ring of <paramref name="period"/>, or null when the consensus carries no value for it.</summary>
    public HsDirPeriodRing? RingFor(TimePeriod period) =>
        period == CurrentValuePeriod ? _current.Value
        : period == PreviousValuePeriod ? _previous.Value
        : null;

    /// <summary>
    /// Whether the HSDir <paramref name="relay"/> should accept a descriptor for <paramref name="blindedKey"/>: one of
    /// the two rings places it among the first <c>HsDirSpreadStore</c> + <see cref="UploadSlack"/> relays of a replica.
    /// </summary>
    public bool AcceptsUpload(RelayId relay, BlindedPublicKey blindedKey) =>
        _current.Value.Holds(relay, blindedKey, UploadSlack) || _previous.Value.Holds(relay, blindedKey, UploadSlack);
}
