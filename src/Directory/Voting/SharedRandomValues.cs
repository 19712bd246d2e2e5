using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Voting;

/// <summary>
/// The two shared random values a vote or consensus carries (docs/directory-authority.md §5.3): for the period whose
/// value is newest at <c>valid-after</c> and for the one before it, each the disaster value of rend-spec-v3 §2.3.1
/// under HiddenPoint's label, <c>SHA3-256("hpc-shared-random-disaster" · u64(period length) · u64(period number))</c>.
/// </summary>
/// <remarks>
/// A value depends on its period alone, so every consensus of a period carries the same one and the HSDir ring stays
/// fixed for the whole period, whatever the votes say. It is predictable: anyone can compute the ring of any future
/// period. A commit-and-reveal protocol among the authorities (Tor's proposal 250) would replace this computation and
/// nothing else: relays and clients only read the values from the consensus.
/// </remarks>
public static class SharedRandomValues
{
    /// <summary>The previous and current values at <paramref name="validAfter"/> under <paramref name="parameters"/>'s period length.</summary>
    public static (byte[] Previous, byte[] Current) At(DateTimeOffset validAfter, NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var schedule = new TimePeriodSchedule((uint)parameters.Get(NetworkParameter.HsDirInterval));
        var current = schedule.CurrentValuePeriod(validAfter);
        return (Value(current.Previous()), Value(current));
    }

    private static byte[] Value(TimePeriod period) => HsDirRing.DisasterSharedRandomValue(period, HsDirRingLabels.Hpc).Bytes.ToArray();
}
