using System.Net;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using Microsoft.Extensions.Time.Testing;
using HsDirStore = HiddenPoint.Relay.HiddenPoints.HsDirStore;
using HsDirAssignment = HiddenPoint.Relay.HiddenPoints.HsDirAssignment;
using HsDirStoreResult = HiddenPoint.Relay.HiddenPoints.HsDirStoreResult;

namespace HiddenPoint.IntegrationTests.HiddenPoints;

/// <summary>
/// Hidden-point time end to end, without sockets: consensuses computed by the authorities' code every voting interval,
/// relays whose HSDir stores check their place on the ring of the consensus they hold, a host and a client that follow
/// <see cref="HsDirView"/>.
/// </summary>
public sealed class HsDirRingTimeTests : IDisposable
{
    private const RelayFlags HsDirFlags = RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Valid | RelayFlags.Stable;

    private readonly AuthorityIdentityKey[] _authorities = [AuthorityIdentityKey.Generate(), AuthorityIdentityKey.Generate(), AuthorityIdentityKey.Generate()];
    private readonly RelayStatus[] _relays = TestConsensus.Relays(30, HsDirFlags);

    public void Dispose()
    {
        foreach (var key in _authorities)
        {
            key.Dispose();
        }
    }

    public static TheoryData<int, int> Networks => new()
    {
        { 1440, 60 },   // the defaults: a day-long period, a consensus every hour
        { 10, 1 },      // a testnet: ten-minute periods, a consensus every minute
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_descriptor_uploaded_early_in_a_period_is_found_late_in_it(int periodMinutes, int intervalMinutes)
    {
        var parameters = periodMinutes == 1440 ? [] : new[] { new KeyValuePair<string, int>("HsDirInterval", periodMinutes) };
        var period = new TimePeriodSchedule((uint)periodMinutes).PeriodAt(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
        var clock = new FakeTimeProvider(period.Start);
        var sources = _relays.ToDictionary(r => r.Id, _ => new SwappableConsensusSource());
        var stores = _relays.ToDictionary(r => r.Id, r => new HsDirStore(timeProvider: clock, assignment: new HsDirAssignment(new HsDirViewSource(sources[r.Id]), r.Id)));
        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var signing = HsDescriptorSigningKey.Generate();
        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);

        // The host picks the period's HSDirs once, from the first consensus of the period, and then only republishes
        // there (every two hours, within the 180-minute lifetime), through every consensus of the period. Each HSDir
        // checks each upload against the consensus it holds at that moment.
        IReadOnlyList<RelayStatus>? targets = null;
        Consensus? last = null;
        var revision = 0ul;
        var published = DateTimeOffset.MinValue;
        for (var validAfter = period.Start; validAfter < period.End; validAfter = validAfter.AddMinutes(intervalMinutes))
        {
            last = Consensus(validAfter, parameters);
            foreach (var source in sources.Values)
            {
                source.Value = last;
            }

            if (targets is null)
            {
                var host = HsDirView.Create(last);
                Assert.Equal(period, host.FetchPeriod);
                targets = host.RingFor(period)!.StoreTargets(blinded);

                // An HSDir the ring does not name refuses the descriptor.
                var elsewhere = _relays.First(r => !host.AcceptsUpload(r.Id, blinded));
                Assert.Equal(HsDirStoreResult.NotResponsible, stores[elsewhere.Id].Store(blinded.Bytes, Descriptor(identity, signing, period, 1)));
            }

            if (validAfter - published >= TimeSpan.FromHours(2))
            {
                var document = Descriptor(identity, signing, period, ++revision);
                foreach (var target in targets)
                {
                    Assert.Equal(HsDirStoreResult.Stored, stores[target.Id].Store(blinded.Bytes, document));
                }

                published = validAfter;
            }

            clock.SetUtcNow(validAfter);
        }

        // The last consensus of the period: a client looks on the ring of the period valid-after falls in, finds the
        // descriptor at every HSDir it may pick, and opens it.
        var client = HsDirView.Create(last!);
        Assert.Equal(period, client.FetchPeriod);
        var candidates = client.FetchRing.FetchCandidates(KeyBlinding.BlindPublicKey(identity.PublicKey, client.FetchPeriod, KeyBlindingLabels.Hpc));
        Assert.Equal(client.RingParameters.Replicas * client.RingParameters.SpreadFetch, candidates.Count);
        Assert.All(candidates, c => Assert.Contains(c.Id, targets!.Select(t => t.Id)));
        foreach (var candidate in candidates)
        {
            Assert.True(stores[candidate.Id].TryFetch(blinded.Bytes, out var fetched), candidate.Nickname);
            Assert.True(
                HiddenPointDescriptor.TryOpen(fetched.Span, identity.PublicKey, client.FetchPeriod, client.NetworkTime, out var opened, out _, out var error),
                error.ToString());
            Assert.Equal(revision, opened.RevisionCounter);
        }
    }

    private static byte[] Descriptor(HiddenPointIdentitySecretKey identity, HsDescriptorSigningKey signing, TimePeriod period, ulong revision) =>
        HiddenPointDescriptor.Build(identity, period, signing, new HsDescriptorContent
        {
            RevisionCounter = revision,
            LifetimeMinutes = 180,
            CertificatesExpire = period.Start.AddHours(54),
            IntroductionPoints = [],
        });

    private Consensus Consensus(DateTimeOffset validAfter, IEnumerable<KeyValuePair<string, int>> parameters)
    {
        var pinned = _authorities.Select(a => a.Id).ToArray();
        var votes = _authorities.Select((key, i) =>
        {
            var document = new NetworkStatusBuilder
            {
                ValidAfter = validAfter,
                FreshUntil = validAfter.AddMinutes(1),
                ValidUntil = validAfter.AddMinutes(3),
                Parameters = new NetworkParameters(parameters),
                SharedRandomPreviousValue = new byte[32],
                SharedRandomCurrentValue = new byte[32],
                Authorities = [new AuthorityEntry(key.Id, $"auth{i}", new RelayAddress(IPAddress.Loopback, (ushort)(7000 + i)))],
                Relays = _relays,
            }.BuildVote(key);
            Assert.True(UnverifiedVote.TryParse(document, out var unverified, out var error), error.ToString());
            return unverified!.VerifySignature(pinned).Value!.CheckValidAt(validAfter).Value!;
        }).ToArray();
        var body = ConsensusComputation.Compute(votes, _authorities.Length, validAfter).Body!;
        var signed = NetworkStatusBuilder.Assemble(body, _authorities.Select(a => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, a)));
        Assert.True(UnverifiedConsensus.TryParse(signed, out var consensus, out var parseError), parseError.ToString());
        return consensus!.VerifySignatures(pinned).Value!.CheckValidAt(validAfter, null).Value!;
    }
}
