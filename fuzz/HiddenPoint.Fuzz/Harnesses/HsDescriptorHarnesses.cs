using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>Fixed keys and a fixed instant for the hidden-point descriptor harnesses, and their seed documents.</summary>
internal static class HsDescriptorFixture
{
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    public static readonly HiddenPointIdentitySecretKey Identity = HiddenPointIdentitySecretKey.FromSeed(FixedKeys.Seed(4, 1));
    public static readonly HsDescriptorSigningKey SigningKey = HsDescriptorSigningKey.FromSeed(FixedKeys.Seed(4, 2));
    public static readonly TimePeriod Period = TimePeriod.FromInstant(Now);
    public static readonly BlindedPublicKey BlindedKey = KeyBlinding.BlindPublicKey(Identity.PublicKey, Period, KeyBlindingLabels.Hpc);

    public static DateTimeOffset CertificatesExpire => Now.AddHours(54);

    public static IReadOnlyList<HsIntroductionPoint> Points(int count)
    {
        var points = new List<HsIntroductionPoint>();
        for (var i = 0; i < count; i++)
        {
            using var onion = CircuitHandshakeKey.FromSeed(FixedKeys.Seed(5, (byte)i));
            using var auth = HiddenPointIdentityKey.FromSeed(FixedKeys.Seed(6, (byte)i));
            using var encryption = HsIntroEncryptionKey.FromSeed(FixedKeys.Seed(7, (byte)i));
            using var relay = RelayIdentityKey.FromSeed(FixedKeys.Seed(8, (byte)i));
            var specifiers = new Protocol.Relay.LinkSpecifiers(
                relay.Id, new System.Net.IPEndPoint(new System.Net.IPAddress([127, 1, (byte)i, 1]), 9001), null);
            points.Add(new HsIntroductionPoint(specifiers, onion.Public, new HsIntroAuthKey(auth.PublicKey), encryption.Public));
        }

        return points;
    }

    public static byte[] Inner(int count) => HsDescriptorInnerLayer.Write(Points(count), SigningKey, CertificatesExpire);

    public static byte[] Descriptor(int count) =>
        HiddenPointDescriptor.Build(Identity, Period, SigningKey, new HsDescriptorContent
        {
            RevisionCounter = 3,
            CertificatesExpire = CertificatesExpire,
            IntroductionPoints = Points(count),
        });
}

/// <summary>
/// The outer layer of a hidden-point descriptor (FZ-10, C tor's <c>hsdescv3</c>): parsed, and when it parses, its
/// signature and certificate checked against the fixture's blinded key (which mutated inputs fail: that is fine).
/// </summary>
internal sealed class HsDescriptorOuterHarness : Harness
{
    public override string Name => "hs-descriptor-outer";

    public override string Description => "hidden-point descriptor, outer (signed) layer, then verification";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (HsDescriptorParser.TryParse(input, out var descriptor, out _))
        {
            _ = descriptor.TryVerify(HsDescriptorFixture.BlindedKey, HsDescriptorFixture.Now, out _, out _);
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return HsDescriptorFixture.Descriptor(1);
        yield return HsDescriptorFixture.Descriptor(3);
        yield return "hs-descriptor 3\n"u8.ToArray();
    }
}

/// <summary>
/// The middle layer's plaintext (FZ-10, C tor's <c>hsdescv3-middle</c>): the <c>encrypted</c> blob lines and NUL
/// padding. What parses must give the same blob after writing and parsing again.
/// </summary>
internal sealed class HsDescriptorMiddleHarness : Harness
{
    public override string Name => "hs-descriptor-middle";

    public override string Description => "hidden-point descriptor, middle layer plaintext (round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (!HsDescriptorMiddleLayer.TryParse(input, out var blob, out _))
        {
            return;
        }

        var written = HsDescriptorMiddleLayer.Write(blob);
        CheckAccepted(HsDescriptorMiddleLayer.TryParse(written, out var again, out _), "middle layer");
        CheckSame(blob, again, "middle layer");
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return HsDescriptorMiddleLayer.Write(Samples.Bytes(100, 1));
        yield return HsDescriptorMiddleLayer.Write(Samples.Bytes(2000, 7));
        yield return "encrypted\n-----BEGIN MESSAGE-----\n-----END MESSAGE-----\n"u8.ToArray();
    }
}

/// <summary>
/// The inner layer's plaintext (FZ-10, C tor's <c>hsdescv3-inner</c>): introduction points with their certificates,
/// checked against the fixture's descriptor-signing key. What parses must write and parse back to the same points.
/// </summary>
internal sealed class HsDescriptorInnerHarness : Harness
{
    public override string Name => "hs-descriptor-inner";

    public override string Description => "hidden-point descriptor, inner layer plaintext: introduction points (round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var signer = HsDescriptorFixture.SigningKey.PublicKey;
        if (!HsDescriptorInnerLayer.TryParse(input, signer, HsDescriptorFixture.Now, out var points, out _) || points.Count == 0)
        {
            return;
        }

        var written = HsDescriptorInnerLayer.Write(points, HsDescriptorFixture.SigningKey, HsDescriptorFixture.CertificatesExpire);
        CheckAccepted(HsDescriptorInnerLayer.TryParse(written, signer, HsDescriptorFixture.Now, out var again, out _), "inner layer");
        CheckSame(written, HsDescriptorInnerLayer.Write(again, HsDescriptorFixture.SigningKey, HsDescriptorFixture.CertificatesExpire), "inner layer");
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return HsDescriptorFixture.Inner(1);
        yield return HsDescriptorFixture.Inner(3);
        yield return "create2-formats 3\n"u8.ToArray();
    }
}
