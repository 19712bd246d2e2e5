using System.Diagnostics.CodeAnalysis;
using System.Net;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Tests;

// Shared by the Network, Relay and integration tests (linked into their projects).

/// <summary>Signed and verified consensuses whose shared random values follow the authorities' rule.</summary>
internal static class TestConsensus
{
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

    public static RelayStatus[] Relays(int count, RelayFlags flags) => [.. Enumerable.Range(1, count).Select(n => Relay(n, flags))];

    public static Consensus Build(DateTimeOffset validAfter, IReadOnlyList<RelayStatus> relays, IEnumerable<KeyValuePair<string, int>>? parameters = null)
    {
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
        Assert.True(UnverifiedConsensus.TryParse(document, out var unverified, out var error), error.ToString());
        var signed = unverified.VerifySignatures([authority.Id]);
        Assert.True(signed.IsValid);
        return signed.Value.CheckValidAt(validAfter, null).Value!;
    }
}

/// <summary>A consensus source whose consensus the test sets and replaces.</summary>
internal sealed class SwappableConsensusSource : IConsensusSource
{
    private Consensus? _value;

    public Consensus? Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    public ReadOnlyMemory<byte> LatestDocument => Value?.Document ?? default;

    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
    {
        consensus = Value;
        reason = consensus is null ? ConsensusUnavailable.NoneYet : ConsensusUnavailable.None;
        return consensus is not null;
    }
}
