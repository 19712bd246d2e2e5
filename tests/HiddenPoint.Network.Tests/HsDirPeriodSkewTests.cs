using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// TEST-MATRIX TM-02: a host and a client whose clocks (hence whose consensuses) are an hour apart, across a time-period
/// boundary (12:00) and a shared-random change (00:00), still meet: the period a client fetches is one the host
/// uploads to, at HSDirs that accept the upload.
/// </summary>
public sealed class HsDirPeriodSkewTests
{
    private const RelayFlags HsDir = RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Valid;

    [Fact]
    public void TM02_HostAndClientAnHourApartAcrossPeriodBoundaries_FetchAPeriodTheHostPublished_AtHsDirsThatStoreIt()
    {
        var relays = TestConsensus.Relays(40, HsDir);
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var day = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var views = new Dictionary<int, HsDirView>();
        HsDirView ViewAt(int hour) =>
            views.TryGetValue(hour, out var view) ? view : views[hour] = HsDirView.Create(TestConsensus.Build(day.AddHours(hour), relays));

        var checkedPairs = 0;
        for (var hostHour = -3; hostHour <= 27; hostHour++)
        {
            var host = ViewAt(hostHour);
            foreach (var skew in (int[])[-1, 0, 1])
            {
                var client = ViewAt(hostHour + skew);
                var period = client.FetchPeriod;
                var hostRing = Assert.Single(host.UploadRings, r => r.Period == period);
                var key = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);
                var stored = hostRing.StoreTargets(key).Select(r => r.Id).ToHashSet();

                // Every HSDir the client may ask holds the descriptor, and the HSDirs (whose consensus is the client's
                // or the host's) accept the upload.
                Assert.All(client.FetchRing.FetchCandidates(key), c => Assert.Contains(c.Id, stored));
                foreach (var hsDirView in (HsDirView[])[host, client])
                {
                    Assert.All(stored, id => Assert.True(hsDirView.AcceptsUpload(id, key), $"host {hostHour} h, client {skew:+0;-0;0} h"));
                }

                checkedPairs++;
            }
        }

        Assert.Equal(31 * 3, checkedPairs);
    }
}
