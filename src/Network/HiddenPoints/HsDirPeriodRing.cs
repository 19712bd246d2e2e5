using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.HiddenPoints;

/// <summary>
/// One time period's HSDir hash ring as one consensus defines it (rend-spec-v3 §2.2.3): every relay listed with the
/// HSDir and Running flags, at <c>hs_relay_index</c> = SHA3-256(<c>hpc-node-idx</c> · identity · shared random value ·
/// u64(period number) · u64(period length)), in ascending order. Immutable and thread-safe; built by
/// <see cref="HsDirView"/>, which hosts, clients and HSDirs all read it through.
/// </summary>
public sealed class HsDirPeriodRing
{
    /// <summary>The flags a relay needs to sit on the ring.</summary>
    public const RelayFlags RequiredFlags = RelayFlags.HSDir | RelayFlags.Running;

    private readonly RelayStatus[] _relays;
    private readonly HsDirIndex[] _indices;
    private readonly Dictionary<RelayId, int> _positions;
    private readonly HsDirRingParameters _parameters;
    private readonly HsDirRingLabels _labels;

    internal HsDirPeriodRing(
        TimePeriod period, SharedRandomValue sharedRandom, IReadOnlyList<RelayStatus> relays, HsDirRingParameters parameters, HsDirRingLabels labels)
    {
        Period = period;
        SharedRandom = sharedRandom;
        _parameters = parameters;
        _labels = labels;
        var members = new List<(HsDirIndex Index, RelayStatus Relay)>(relays.Count);
        foreach (var relay in relays)
        {
            if ((relay.Flags & RequiredFlags) == RequiredFlags)
            {
                members.Add((HsDirRing.RelayIndex(relay.Id.Key.Bytes, sharedRandom, period, labels), relay));
            }
        }

        // Two relays at one index would need SHA3-256 to collide; the identity breaks the tie all the same, so that
        // every party orders the ring identically whatever the input order.
        members.Sort(static (a, b) =>
        {
            var order = a.Index.CompareTo(b.Index);
            return order != 0 ? order : a.Relay.Id.Key.Bytes.SequenceCompareTo(b.Relay.Id.Key.Bytes);
        });
        _relays = new RelayStatus[members.Count];
        _indices = new HsDirIndex[members.Count];
        _positions = new Dictionary<RelayId, int>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            _indices[i] = members[i].Index;
            _relays[i] = members[i].Relay;
            _positions[members[i].Relay.Id] = i;
        }
    }

    /// <summary>The time period.</summary>
    public TimePeriod Period { get; }

    /// <summary>The period's shared random value, as the consensus carries it.</summary>
    public SharedRandomValue SharedRandom { get; }

    /// <summary>Relays on the ring.</summary>
    public int Count => _relays.Length;

    /// <summary>The relay at ring position <paramref name="position"/> (0 is the lowest index).</summary>
    public RelayStatus RelayAt(int position) => _relays[position];

    /// <summary>The index at ring position <paramref name="position"/>.</summary>
    public HsDirIndex IndexAt(int position) => _indices[position];

    /// <summary>The ring index of <paramref name="relay"/>, when it is on the ring.</summary>
    public bool TryGetIndex(RelayId relay, out HsDirIndex index)
    {
        if (_positions.TryGetValue(relay, out var position))
        {
            index = _indices[position];
            return true;
        }

        index = default;
        return false;
    }

    /// <summary>
    /// The HSDirs a host uploads the descriptor of <paramref name="blindedKey"/> to: for each replica (1 first), the
    /// first <c>HsDirSpreadStore</c> relays at or after its position, skipping relays an earlier replica took.
    /// </summary>
    public IReadOnlyList<RelayStatus> StoreTargets(BlindedPublicKey blindedKey) => Select(blindedKey, _parameters.SpreadStore);

    /// <summary>
    /// The HSDirs a client picks one from at random to fetch <paramref name="blindedKey"/>'s descriptor: as
    /// <see cref="StoreTargets"/> with <c>HsDirSpreadFetch</c> relays per replica.
    /// </summary>
    public IReadOnlyList<RelayStatus> FetchCandidates(BlindedPublicKey blindedKey) => Select(blindedKey, _parameters.SpreadFetch);

    /// <summary>
    /// Whether <paramref name="relay"/> is among the first <c>HsDirSpreadStore</c> + <paramref name="slack"/> relays
    /// that <see cref="StoreTargets"/> would pick per replica for <paramref name="blindedKey"/>. Allocates nothing.
    /// </summary>
    public bool Holds(RelayId relay, BlindedPublicKey blindedKey, int slack = 0)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        ArgumentOutOfRangeException.ThrowIfNegative(slack);
        if (!_positions.TryGetValue(relay, out var position))
        {
            return false;
        }

        var spread = _parameters.SpreadStore + slack;
        Span<HsDirIndex> positions = stackalloc HsDirIndex[_parameters.Replicas];
        ServicePositions(blindedKey, positions);
        var capacity = Math.Min(_relays.Length, positions.Length * spread);

        // At most 16 replicas × (128 + slack) relays: a few kilobytes of stack for the default parameters' 8 + slack.
        Span<int> selected = capacity <= 1024 ? stackalloc int[capacity] : new int[capacity];
        var count = HsDirRing.SelectResponsible(_indices, positions, spread, selected);
        return selected[..count].Contains(position);
    }

    private RelayStatus[] Select(BlindedPublicKey blindedKey, int spread)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        Span<HsDirIndex> positions = stackalloc HsDirIndex[_parameters.Replicas];
        ServicePositions(blindedKey, positions);
        var selected = new int[Math.Min(_relays.Length, positions.Length * spread)];
        var count = HsDirRing.SelectResponsible(_indices, positions, spread, selected);
        var relays = new RelayStatus[count];
        for (var i = 0; i < count; i++)
        {
            relays[i] = _relays[selected[i]];
        }

        return relays;
    }

    private void ServicePositions(BlindedPublicKey blindedKey, Span<HsDirIndex> positions)
    {
        for (var replica = 1; replica <= positions.Length; replica++)
        {
            positions[replica - 1] = HsDirRing.ServiceIndex(blindedKey, replica, Period, _labels);
        }
    }
}
