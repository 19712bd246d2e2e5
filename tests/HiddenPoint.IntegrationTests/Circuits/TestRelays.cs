using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>Fixed keys for a test relay: fresh identity, link and circuit-handshake keys.</summary>
internal sealed class TestRelayKeys : IRelayKeys, IDisposable
{
    private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

    public TestRelayKeys()
    {
        Id = _identity.Id;
        Current = new RelayKeySet(LinkKey.Generate(), null, CircuitHandshakeKey.Generate(), null);
    }

    public RelayId Id { get; }

    public RelayKeySet Current { get; }

    public void Dispose()
    {
        _identity.Dispose();
        Current.LinkKey.Dispose();
        Current.CircuitHandshakeKey.Dispose();
    }
}

/// <summary>A consensus source holding one verified consensus, which a test may replace.</summary>
internal sealed class TestConsensusSource : IConsensusSource
{
    private Consensus? _consensus;

    public Consensus? Consensus
    {
        get => Volatile.Read(ref _consensus);
        set => Volatile.Write(ref _consensus, value);
    }

    public ReadOnlyMemory<byte> LatestDocument => Consensus?.Document ?? ReadOnlyMemory<byte>.Empty;

    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
    {
        consensus = Consensus;
        reason = consensus is null ? ConsensusUnavailable.NoneYet : ConsensusUnavailable.None;
        return consensus is not null;
    }
}

/// <summary>Admits every connection and circuit, counting them.</summary>
internal sealed class PermitAllAdmission : IAddressAdmission
{
    private int _connections;
    private int _circuits;

    public int Connections => Volatile.Read(ref _connections);

    public int Circuits => Volatile.Read(ref _circuits);

    public AdmissionRefusal Refuse { get; set; }

    public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease)
    {
        Interlocked.Increment(ref _connections);
        lease = null;
        return AdmissionRefusal.None;
    }

    public AdmissionRefusal TryAdmitCircuit(IPAddress address)
    {
        Interlocked.Increment(ref _circuits);
        return Refuse;
    }
}

/// <summary>Test authorities that sign a consensus listing the given relays, which is then parsed and verified.</summary>
internal static class TestConsensus
{
    public static Consensus Build(IReadOnlyList<RelayStatus> relays)
    {
        using var authority = AuthorityIdentityKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var validAfter = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter.AddHours(1),
            ValidUntil = validAfter.AddHours(3),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = [new AuthorityEntry(authority.Id, "auth0", new RelayAddress(IPAddress.Loopback, 7000))],
            Relays = relays.OrderBy(r => Convert.ToHexString(r.Id.Key.Bytes), StringComparer.Ordinal).ToArray(),
        };
        var body = builder.BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, authority)]);
        Assert.True(NetworkStatusParser.TryParseConsensus(document, out var unverified, out var error), error.ToString());
        var signed = unverified.VerifySignatures([authority.Id]);
        Assert.True(signed.IsValid, signed.ToString());
        var timely = signed.Value!.CheckValidAt(TimeProvider.System, null);
        Assert.True(timely.IsUsable, timely.ToString());
        return timely.Value!;
    }
}
