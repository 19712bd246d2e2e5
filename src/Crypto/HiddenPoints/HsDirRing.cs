using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// The HSDir hash ring (rend-spec-v3 §2.2.3): where a hidden point's descriptor is stored in a time period. Relays
/// with the HSDir flag sit at hs_relay_index, a hidden point at one hs_service_index per replica, and each replica's
/// descriptor goes to the relays that follow its position on the ring.
/// </summary>
public static class HsDirRing
{
    private const int U64 = sizeof(ulong);

    /// <summary>
    /// hs_service_index = SHA3-256(label | KP_hs_blind_id | u64(replica) | u64(period length) | u64(period number)).
    /// </summary>
    /// <param name="blindedKey">The hidden point's blinded key for <paramref name="period"/>.</param>
    /// <param name="replica">The replica number, from 1.</param>
    /// <param name="period">The time period.</param>
    /// <param name="labels">The network's labels.</param>
    public static HsDirIndex ServiceIndex(BlindedPublicKey blindedKey, int replica, TimePeriod period, HsDirRingLabels labels)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        return ServiceIndexOfUncheckedKey(blindedKey.Bytes, replica, period, labels);
    }

    /// <summary>
    /// hs_relay_index = SHA3-256(label | relay Ed25519 identity | SRV | u64(period number) | u64(period length)).
    /// Note the order of the two numbers, the reverse of <see cref="ServiceIndex"/>'s.
    /// </summary>
    /// <param name="relayIdentity">The relay's 32-byte Ed25519 identity key.</param>
    /// <param name="sharedRandom">The shared random value the period's ring uses.</param>
    /// <param name="period">The time period.</param>
    /// <param name="labels">The network's labels.</param>
    public static HsDirIndex RelayIndex(
        ReadOnlySpan<byte> relayIdentity, SharedRandomValue sharedRandom, TimePeriod period, HsDirRingLabels labels)
    {
        ArgumentNullException.ThrowIfNull(sharedRandom);
        ArgumentNullException.ThrowIfNull(labels);
        if (relayIdentity.Length != 32)
        {
            throw new ArgumentException("A relay's Ed25519 identity is 32 bytes.", nameof(relayIdentity));
        }

        CheckPeriod(period);
        var label = labels.RelayIndex;
        Span<byte> input = stackalloc byte[HsDirRingLabels.MaxLabelLength + 32 + SharedRandomValue.Length + (2 * U64)];
        var length = 0;
        Append(input, ref length, label);
        Append(input, ref length, relayIdentity);
        Append(input, ref length, sharedRandom.Bytes);
        AppendU64(input, ref length, period.Number);
        AppendU64(input, ref length, period.LengthMinutes);
        return Hash(input[..length]);
    }

    /// <summary>
    /// The disaster shared random value (rend-spec-v3 §2.3.1), used when the consensus carries none:
    /// SHA3-256(label | u64(period length) | u64(period number)).
    /// </summary>
    public static SharedRandomValue DisasterSharedRandomValue(TimePeriod period, HsDirRingLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckPeriod(period);
        Span<byte> input = stackalloc byte[HsDirRingLabels.MaxLabelLength + (2 * U64)];
        var length = 0;
        Append(input, ref length, labels.DisasterSharedRandom);
        AppendU64(input, ref length, period.LengthMinutes);
        AppendU64(input, ref length, period.Number);
        Span<byte> digest = stackalloc byte[SHA3_256.HashSizeInBytes];
        SHA3_256.HashData(input[..length], digest);
        return new SharedRandomValue(digest);
    }

    /// <summary>
    /// Picks the responsible HSDirs: for each service position in turn (replica 1 first), the first
    /// <paramref name="spread"/> relays whose index is at or after the position, wrapping past the end of the ring and
    /// skipping relays an earlier replica already took. Stops a replica early when the ring has no relay left.
    /// </summary>
    /// <param name="sortedRing">Every HSDir's relay index for the period, in ascending order.</param>
    /// <param name="servicePositions">The hidden point's service index for replicas 1, 2, ... in that order.</param>
    /// <param name="spread">hsdir_spread_store to upload, hsdir_spread_fetch to fetch.</param>
    /// <param name="selected">Receives positions in <paramref name="sortedRing"/>, in selection order; must hold
    /// min(ring size, positions × spread) entries.</param>
    /// <returns>The number of relays selected.</returns>
    public static int SelectResponsible(
        ReadOnlySpan<HsDirIndex> sortedRing, ReadOnlySpan<HsDirIndex> servicePositions, int spread, Span<int> selected)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spread, 1);
        var capacity = Math.Min(sortedRing.Length, servicePositions.Length * spread);
        if (selected.Length < capacity)
        {
            throw new ArgumentException($"The selection needs room for {capacity} relays.", nameof(selected));
        }

        for (var i = 1; i < sortedRing.Length; i++)
        {
            if (sortedRing[i] < sortedRing[i - 1])
            {
                throw new ArgumentException("The ring must be sorted in ascending order.", nameof(sortedRing));
            }
        }

        var count = 0;
        foreach (var position in servicePositions)
        {
            if (count == sortedRing.Length)
            {
                break;
            }

            var start = LowerBound(sortedRing, position);
            if (start == sortedRing.Length)
            {
                start = 0;
            }

            var added = 0;
            var next = start;
            do
            {
                if (!selected[..count].Contains(next))
                {
                    selected[count++] = next;
                    added++;
                }

                next = next + 1 == sortedRing.Length ? 0 : next + 1;
            }
            while (added < spread && next != start);
        }

        return count;
    }

    /// <summary>hs_service_index of raw key bytes that need not be a valid point (published vectors use such keys).</summary>
    internal static HsDirIndex ServiceIndexOfUncheckedKey(
        ReadOnlySpan<byte> blindedKey, int replica, TimePeriod period, HsDirRingLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(replica, 1);
        if (blindedKey.Length != BlindedPublicKey.Length)
        {
            throw new ArgumentException("A blinded key is 32 bytes.", nameof(blindedKey));
        }

        CheckPeriod(period);
        Span<byte> input = stackalloc byte[HsDirRingLabels.MaxLabelLength + BlindedPublicKey.Length + (3 * U64)];
        var length = 0;
        Append(input, ref length, labels.ServiceIndex);
        Append(input, ref length, blindedKey);
        AppendU64(input, ref length, (ulong)replica);
        AppendU64(input, ref length, period.LengthMinutes);
        AppendU64(input, ref length, period.Number);
        return Hash(input[..length]);
    }

    // The first ring position whose index is >= value, or the ring's length when there is none.
    private static int LowerBound(ReadOnlySpan<HsDirIndex> ring, HsDirIndex value)
    {
        int low = 0, high = ring.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (ring[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static HsDirIndex Hash(ReadOnlySpan<byte> input)
    {
        Span<byte> digest = stackalloc byte[SHA3_256.HashSizeInBytes];
        SHA3_256.HashData(input, digest);
        return new HsDirIndex(digest);
    }

    private static void Append(Span<byte> buffer, ref int length, ReadOnlySpan<byte> data)
    {
        data.CopyTo(buffer[length..]);
        length += data.Length;
    }

    private static void AppendU64(Span<byte> buffer, ref int length, ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(buffer[length..], value);
        length += U64;
    }

    private static void CheckPeriod(TimePeriod period)
    {
        if (period.LengthMinutes == 0)
        {
            throw new ArgumentException("The time period is uninitialized.", nameof(period));
        }
    }
}
