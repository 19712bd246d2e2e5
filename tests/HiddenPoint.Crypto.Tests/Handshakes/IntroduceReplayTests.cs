using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>
/// TEST-MATRIX RP-01, through another introduction point: an introduction is sealed to one introduction point's keys
/// (its encryption key, and its authentication key in the MACed header), so a copy replayed through another
/// introduction point does not open there; the per-point replay cache (HiddenPoint.Client.Tests) stops the copies that
/// come back through the same point.
/// </summary>
public sealed class IntroduceReplayTests
{
    [Fact]
    public void RP01_AnIntroductionReplayedThroughAnotherIntroductionPoint_FailsTheMac()
    {
        var subcredential = new Subcredential(TestKeys.Random(32));
        using var firstKey = HsIntroEncryptionKey.Generate();
        using var secondKey = HsIntroEncryptionKey.Generate();
        var firstAuth = new HsIntroAuthKey(Ed25519PublicKey.FromBytes(TestKeys.Random(32)));
        var secondAuth = new HsIntroAuthKey(Ed25519PublicKey.FromBytes(TestKeys.Random(32)));
        var first = new HsNtorService(HsNtorLabels.Hpc, firstKey, firstAuth, subcredential);
        var second = new HsNtorService(HsNtorLabels.Hpc, secondKey, secondAuth, subcredential);

        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Hpc, firstAuth, firstKey.Public, subcredential, out var client, out _));
        using (client)
        {
            var header = TestKeys.Random(40);
            var section = new byte[HsNtorClient.GetEncryptedSectionLength(64)];
            client.SealIntroduce(header, TestKeys.Random(64), section);

            Assert.True(first.TryOpenIntroduce(header, section, out var opened, out _));
            opened!.Dispose();
            for (var replay = 0; replay < 1000; replay++)
            {
                Assert.False(second.TryOpenIntroduce(header, section, out var stolen, out var error));
                Assert.Null(stolen);
                Assert.Equal(HsNtorError.BadMac, error);
            }
        }
    }
}
