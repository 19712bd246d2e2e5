using System.Globalization;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// What a <see cref="DelayingProxy"/> does to the bytes of every link that passes it, in each direction: every chunk
/// read arrives <see cref="OneWayDelay"/> later; with probability <see cref="LossProbability"/> a chunk stands for a
/// lost TCP segment and arrives a retransmission timeout later still (<see cref="RetransmissionDelay"/>), and the
/// chunks behind it wait for it, because TCP delivers bytes in order. No byte is ever dropped or reordered: a lost
/// segment is, to the programs on either end, only a late one.
/// </summary>
/// <param name="OneWayDelay">The delay of each chunk in each direction (netem's <c>delay</c>); zero for none.</param>
/// <param name="LossProbability">The chance, from 0 to 1, that a chunk is held for a retransmission.</param>
internal sealed record LinkImpairment(TimeSpan OneWayDelay, double LossProbability)
{
    /// <summary>Linux's smallest retransmission timeout (TCP_RTO_MIN, 200 ms), which a short path always hits.</summary>
    public static readonly TimeSpan MinRetransmissionTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>No delay and no loss: the proxy only forwards.</summary>
    public static readonly LinkImpairment None = new(TimeSpan.Zero, 0);

    /// <summary>
    /// How much later a lost segment arrives: the sender's retransmission timeout (the 200 ms floor plus one round
    /// trip, 2 × the one-way delay, as RTO = SRTT + 4·RTTVAR comes out on a steady path), after which the copy
    /// travels again.
    /// </summary>
    public TimeSpan RetransmissionDelay => MinRetransmissionTimeout + (2 * OneWayDelay);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{OneWayDelay.TotalMilliseconds:0} ms one way, {LossProbability * 100:0.##} % loss (a lost chunk +{RetransmissionDelay.TotalMilliseconds:0} ms)");
}
