using System.Net;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testing;

/// <summary>
/// Relay entries with fixed keys, and consensuses signed by a throwaway authority, then parsed and verified as a relay
/// or client would; their shared random values follow the authorities' rule (the disaster value of each period).
/// </summary>
public static class TestConsensus
{
    /// <summary>Relay <paramref name="n"/>: keys from seeds derived from <paramref name="n"/>, at 127.n.0.1:9001.</summary>
    public static RelayStatus Relay(int n, RelayFlags flags)
    {
        var seed = new byte[32];
        seed[0] = 0x10;
        seed[1] = (byte)n;
        seed[2] = (byte)(n >> 8);
        using var identity = RelayIdentityKey.FromSeed(seed);
        seed[0] = 0x20;
        using var link = LinkKey.FromSeed(seed);
        seed[0] = 0x30;
        using var handshake = CircuitHandshakeKey.FromSeed(seed);

        // A vote names the descriptor its entry came from; a consensus built from these leaves the digest out.
        return new RelayStatus(
            identity.Id, $"relay{n}", [new RelayAddress(IPAddress.Parse($"127.{n % 250}.0.1"), 9001)], link.Public, handshake.Public, flags, 100, DescriptorDigest.Of(seed));
    }

    /// <summary>Relays 1 to <paramref name="count"/> (see <see cref="Relay"/>).</summary>
    public static RelayStatus[] Relays(int count, RelayFlags flags) => [.. Enumerable.Range(1, count).Select(n => Relay(n, flags))];

    /// <summary>A consensus valid from the start of the current hour, listing <paramref name="relays"/>.</summary>
    public static Consensus Build(IReadOnlyList<RelayStatus> relays)
    {
        var now = DateTimeOffset.UtcNow;
        return Build(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero), relays);
    }

    /// <summary>
    /// A consensus valid after <paramref name="validAfter"/> (fresh for an hour, valid for three) listing
    /// <paramref name="relays"/>, with <paramref name="parameters"/>; checked as at <paramref name="validAfter"/>.
    /// </summary>
    public static Consensus Build(DateTimeOffset validAfter, IReadOnlyList<RelayStatus> relays, IEnumerable<KeyValuePair<string, int>>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(relays);
        var networkParameters = new NetworkParameters(parameters ?? []);
        var schedule = new TimePeriodSchedule((uint)networkParameters.Get(NetworkParameter.HsDirInterval));
        var current = schedule.CurrentValuePeriod(validAfter);
        using var authority = AuthorityIdentityKey.Generate();
        var body = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter.AddHours(1),
            ValidUntil = validAfter.AddHours(3),
            Parameters = networkParameters,
            SharedRandomPreviousValue = HsDirRing.DisasterSharedRandomValue(current.Previous(), HsDirRingLabels.Hpc).Bytes.ToArray(),
            SharedRandomCurrentValue = HsDirRing.DisasterSharedRandomValue(current, HsDirRingLabels.Hpc).Bytes.ToArray(),
            Authorities = [new AuthorityEntry(authority.Id, "auth1", new RelayAddress(IPAddress.Loopback, 7000))],
            Relays = relays,
        }.BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, authority)]);
        if (!UnverifiedConsensus.TryParse(document, out var unverified, out var error))
        {
            throw new InvalidOperationException($"The test consensus does not parse: {error}.");
        }

        var signed = unverified.VerifySignatures([authority.Id]);
        if (!signed.IsValid)
        {
            throw new InvalidOperationException($"The test consensus does not verify: {signed}.");
        }

        return signed.Value.CheckValidAt(validAfter, null).Value
            ?? throw new InvalidOperationException("The test consensus is not valid at its own valid-after.");
    }
}
