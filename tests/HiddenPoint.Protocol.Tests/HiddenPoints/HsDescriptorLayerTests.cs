using System.Net;
using System.Text;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Protocol.Tests.HiddenPoints;

public sealed class HsDescriptorLayerTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly HiddenPointIdentitySecretKey _identity = HiddenPointIdentitySecretKey.Generate();
    private readonly HsDescriptorSigningKey _signing = HsDescriptorSigningKey.Generate();
    private readonly TimePeriod _period = TimePeriod.FromInstant(s_now);
    private readonly BlindedSigningKey _blinded;
    private readonly Subcredential _subcredential;

    public HsDescriptorLayerTests()
    {
        _blinded = KeyBlinding.BlindSigningKey(_identity, _period, KeyBlindingLabels.Hpc);
        _subcredential = KeyBlinding.ComputeSubcredential(_identity.PublicKey, _blinded.PublicKey, KeyBlindingLabels.Hpc);
    }

    public void Dispose()
    {
        _identity.Dispose();
        _signing.Dispose();
        _blinded.Dispose();
    }

    [Fact]
    public void Encryption_round_trips_and_binds_every_input()
    {
        var plaintext = Encoding.ASCII.GetBytes("introduction points\n");
        var blob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Inner, _blinded.PublicKey, _subcredential, 7, plaintext);
        Assert.Equal(plaintext.Length + HsDescriptorEncryption.Overhead, blob.Length);
        Assert.False(blob.AsSpan(HsDescriptorEncryption.SaltLength, plaintext.Length).SequenceEqual(plaintext));

        Assert.True(HsDescriptorEncryption.TryDecrypt(HsDescriptorLayer.Inner, _blinded.PublicKey, _subcredential, 7, blob, out var decrypted, out var error), error.ToString());
        Assert.Equal(plaintext, decrypted);

        using var otherPeriod = KeyBlinding.BlindSigningKey(_identity, _period.Next(), KeyBlindingLabels.Hpc);
        var otherSubcredential = KeyBlinding.ComputeSubcredential(_identity.PublicKey, otherPeriod.PublicKey, KeyBlindingLabels.Hpc);
        Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Inner, _blinded.PublicKey, otherSubcredential, 7, blob));
        Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Inner, otherPeriod.PublicKey, _subcredential, 7, blob));
        Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Inner, _blinded.PublicKey, _subcredential, 8, blob));
        Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 7, blob));
    }

    [Fact]
    public void Every_flipped_blob_byte_is_a_bad_mac_and_short_blobs_are_truncated()
    {
        var blob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, new byte[40]);
        for (var i = 0; i < blob.Length; i++)
        {
            blob[i] ^= 1;
            Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, blob));
            blob[i] ^= 1;
        }

        Assert.Equal(HsDescriptorErrorKind.BadMac, DecryptError(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, blob[..^1]));
        Assert.Equal(HsDescriptorErrorKind.Truncated, DecryptError(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, blob[..47]));
        Assert.Equal(HsDescriptorErrorKind.Truncated, DecryptError(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, []));

        var empty = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, []);
        Assert.True(HsDescriptorEncryption.TryDecrypt(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, empty, out var nothing, out _));
        Assert.Empty(nothing);
    }

    [Fact]
    public void Whole_descriptor_round_trips_from_the_host_to_a_client()
    {
        var points = Points(3);
        var document = HiddenPointDescriptor.Build(_identity, _period, _signing, Content(points, revision: 12));

        Assert.True(
            HiddenPointDescriptor.TryOpen(document, _identity.PublicKey, _period, s_now, out var descriptor, out var opened, out var error),
            error.ToString());
        Assert.Equal(12UL, descriptor.RevisionCounter);
        Assert.Equal(_blinded.PublicKey, descriptor.BlindedKey);
        Assert.Equal(0, (descriptor.Superencrypted.Length - HsDescriptorEncryption.Overhead) % HsDescriptorFormat.MiddlePaddingMultiple);
        AssertSame(points, opened);

        // The HSDir's view: verifies under the blinded key alone, and cannot decrypt without the subcredential.
        Assert.True(HsDescriptorParser.TryParse(document, out var unverified, out error));
        Assert.True(unverified.TryVerify(_blinded.PublicKey, s_now, out var stored, out error));
        var wrong = new Subcredential(new byte[32]);
        Assert.False(HiddenPointDescriptor.TryDecrypt(stored, wrong, s_now, out _, out error));
        Assert.Equal(HsDescriptorErrorKind.BadMac, error.Kind);
        Assert.Equal(HsDescriptorLayer.Middle, error.Layer);
    }

    [Fact]
    public void Another_identity_or_period_cannot_open_it()
    {
        var document = HiddenPointDescriptor.Build(_identity, _period, _signing, Content(Points(1)));
        using var other = HiddenPointIdentitySecretKey.Generate();
        Assert.False(HiddenPointDescriptor.TryOpen(document, other.PublicKey, _period, s_now, out _, out _, out var error));
        Assert.Equal(HsDescriptorErrorKind.WrongBlindedKey, error.Kind);
        Assert.False(HiddenPointDescriptor.TryOpen(document, _identity.PublicKey, _period.Next(), s_now, out _, out _, out error));
        Assert.Equal(HsDescriptorErrorKind.WrongBlindedKey, error.Kind);
    }

    [Fact]
    public void Twenty_introduction_points_fit_and_twenty_one_do_not()
    {
        var document = HiddenPointDescriptor.Build(_identity, _period, _signing, Content(Points(20)));
        Assert.True(document.Length <= HsDescriptorFormat.MaxSize);
        Assert.True(HiddenPointDescriptor.TryOpen(document, _identity.PublicKey, _period, s_now, out var descriptor, out var opened, out var error), error.ToString());
        Assert.Equal(20, opened.Count);
        Assert.Equal(20_000 + HsDescriptorEncryption.Overhead, descriptor.Superencrypted.Length);
        Assert.Throws<ArgumentException>(() => HiddenPointDescriptor.Build(_identity, _period, _signing, Content(Points(21))));

        var inner = HsDescriptorInnerLayer.Write(Points(21), _signing, s_now.AddHours(54));
        Assert.Equal(DocumentErrorKind.TooManyItems, InnerError(inner).Syntax);
    }

    [Fact]
    public void A_duplicated_introduction_point_is_refused()
    {
        var points = Points(2);
        var sameRelay = new HsIntroductionPoint(points[0].LinkSpecifiers, points[1].OnionKey, points[1].AuthKey, points[1].EncryptionKey);
        var sameAuthKey = new HsIntroductionPoint(points[1].LinkSpecifiers, points[1].OnionKey, points[0].AuthKey, points[1].EncryptionKey);
        Assert.Equal(HsDescriptorErrorKind.DuplicateIntroductionPoint, InnerError(HsDescriptorInnerLayer.Write([points[0], sameRelay], _signing, s_now.AddHours(54))).Kind);
        Assert.Equal(HsDescriptorErrorKind.DuplicateIntroductionPoint, InnerError(HsDescriptorInnerLayer.Write([points[0], sameAuthKey], _signing, s_now.AddHours(54))).Kind);
        Assert.Equal(HsDescriptorErrorKind.DuplicateIntroductionPoint, InnerError(HsDescriptorInnerLayer.Write([points[0], points[0]], _signing, s_now.AddHours(54))).Kind);
        Assert.Throws<ArgumentException>(() => HiddenPointDescriptor.Build(_identity, _period, _signing, Content([points[0], sameRelay])));
    }

    [Fact]
    public void Introduction_point_certificates_are_checked()
    {
        var inner = HsDescriptorInnerLayer.Write(Points(2), _signing, s_now.AddHours(2));
        Assert.True(HsDescriptorInnerLayer.TryParse(inner, _signing.PublicKey, s_now, out var points, out var error), error.ToString());
        Assert.Equal(2, points.Count);

        using var other = HsDescriptorSigningKey.Generate();
        Assert.False(HsDescriptorInnerLayer.TryParse(inner, other.PublicKey, s_now, out _, out error));
        Assert.Equal(HsDescriptorErrorKind.BadSignature, error.Kind);
        Assert.Equal("auth-key", error.Keyword);

        Assert.False(HsDescriptorInnerLayer.TryParse(inner, _signing.PublicKey, s_now.AddHours(2), out _, out error));
        Assert.Equal(HsDescriptorErrorKind.CertificateExpired, error.Kind);

        // An enc-key-cert that certifies a different key than the enc-key line lists.
        var lines = Lines(inner);
        var encKey = lines.FindIndex(l => l.StartsWith("enc-key ntor ", StringComparison.Ordinal));
        var otherEncKey = lines.FindLastIndex(l => l.StartsWith("enc-key ntor ", StringComparison.Ordinal));
        lines[encKey] = lines[otherEncKey];
        Assert.Equal(HsDescriptorErrorKind.BadSignature, InnerError(Join(lines)).Kind);

        // Certificates in each other's place.
        lines = Lines(inner);
        var auth = lines.FindIndex(l => l.StartsWith("auth-key ", StringComparison.Ordinal));
        var encCert = lines.FindIndex(l => l.StartsWith("enc-key-cert ", StringComparison.Ordinal));
        lines[auth] = "auth-key " + lines[encCert]["enc-key-cert ".Length..];
        Assert.Equal(HsDescriptorErrorKind.WrongCertificateType, InnerError(Join(lines)).Kind);
    }

    [Fact]
    public void Inner_syntax_problems_are_typed()
    {
        var lines = Lines(HsDescriptorInnerLayer.Write(Points(2), _signing, s_now.AddHours(54)));
        Assert.Equal(DocumentErrorKind.UnsupportedVersion, InnerError(Join(["create2-formats 2", .. lines[1..]])).Syntax);
        Assert.Equal(DocumentErrorKind.WrongDocumentType, InnerError(Join(lines[1..])).Syntax);
        Assert.Equal(DocumentErrorKind.MissingKeyword, InnerError(Join([.. lines[..5], .. lines[6..]])).Syntax);
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, InnerError(Join([.. lines[..3], lines[2], .. lines[3..]])).Syntax);
        Assert.Equal(DocumentErrorKind.UnknownKeyword, InnerError(Join([.. lines, "legacy-key 1"])).Syntax);
        Assert.Equal(DocumentErrorKind.MalformedLine, InnerError(Join([.. lines[..2], lines[2].Replace("ntor", "ntorx", StringComparison.Ordinal), .. lines[3..]])).Syntax);
        Assert.Equal(HsDescriptorErrorKind.BadLinkSpecifiers, InnerError(Join([lines[0], "introduction-point AAAA", .. lines[2..]])).Kind);
        Assert.True(HsDescriptorInnerLayer.TryParse(Join(lines[..1]), _signing.PublicKey, s_now, out var none, out _));
        Assert.Empty(none);
    }

    [Fact]
    public void Every_inner_keyword_with_missing_or_extra_arguments_is_refused()
    {
        // TROVE-2021-006 was a descriptor line read past its arguments: every line's argument count is checked first.
        var lines = Lines(HsDescriptorInnerLayer.Write(Points(1), _signing, s_now.AddHours(54)));
        for (var i = 0; i < lines.Count; i++)
        {
            var keyword = lines[i].Split(' ')[0];
            foreach (var replacement in new[] { keyword, lines[i] + " extra" })
            {
                var changed = lines.ToList();
                changed[i] = replacement;
                var error = InnerError(Join(changed));
                Assert.Equal(DocumentErrorKind.WrongArgumentCount, error.Syntax);
                Assert.Equal(i + 1, error.Line);
            }
        }
    }

    [Fact]
    public void Middle_layer_refuses_anything_but_its_blob()
    {
        var middle = HsDescriptorMiddleLayer.Write(new byte[5000]);
        Assert.Equal(0, middle.Length % HsDescriptorFormat.MiddlePaddingMultiple);
        Assert.True(HsDescriptorMiddleLayer.TryParse(middle, out var blob, out _));
        Assert.Equal(new byte[5000], blob);

        var text = Encoding.ASCII.GetString(middle).TrimEnd('\0');
        Assert.Equal(DocumentErrorKind.UnknownKeyword, MiddleError("desc-auth-type x25519\n" + text).Syntax);
        Assert.Equal(DocumentErrorKind.InvalidCharacter, MiddleError(text.Insert(10, "\0")).Syntax);
        Assert.Equal(DocumentErrorKind.Truncated, MiddleError(string.Empty).Syntax);
    }

    [Fact]
    public void Random_mutations_of_every_layer_give_only_typed_errors()
    {
        var random = new Random(4242);
        var inner = HsDescriptorInnerLayer.Write(Points(3), _signing, s_now.AddHours(54));
        var middle = HsDescriptorMiddleLayer.Write(new byte[2000]);
        var document = HiddenPointDescriptor.Build(_identity, _period, _signing, Content(Points(3)));
        for (var i = 0; i < 1500; i++)
        {
            var mutatedInner = Mutate(inner, random);
            if (!HsDescriptorInnerLayer.TryParse(mutatedInner, _signing.PublicKey, s_now, out _, out var error))
            {
                Assert.NotEqual(HsDescriptorErrorKind.None, error.Kind);
            }

            if (!HsDescriptorMiddleLayer.TryParse(Mutate(middle, random), out _, out error))
            {
                Assert.NotEqual(HsDescriptorErrorKind.None, error.Kind);
            }

            var mutated = Mutate(document, random);
            if (HiddenPointDescriptor.TryOpen(mutated, _identity.PublicKey, _period, s_now, out _, out _, out error))
            {
                Assert.Equal(document, mutated);
            }
            else
            {
                Assert.NotEqual(HsDescriptorErrorKind.None, error.Kind);
            }
        }
    }

    [Fact]
    public void A_mutated_but_validly_resigned_inner_layer_gives_only_typed_errors()
    {
        // The fuzzing an attacker who holds the keys could do: mutations that pass the MAC and reach the inner parser.
        var random = new Random(99);
        var inner = HsDescriptorInnerLayer.Write(Points(2), _signing, s_now.AddHours(54));
        for (var i = 0; i < 300; i++)
        {
            var mutated = Mutate(inner, random);
            var innerBlob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Inner, _blinded.PublicKey, _subcredential, 1, mutated);
            var middleBlob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Middle, _blinded.PublicKey, _subcredential, 1, HsDescriptorMiddleLayer.Write(innerBlob));
            var document = new HsDescriptorBuilder
            {
                LifetimeMinutes = 60,
                RevisionCounter = 1,
                SigningKeyCertificate = Ed25519Certificate.Create(
                    Ed25519CertificateType.DescriptorSigning, s_now.AddHours(54), Ed25519CertifiedKeyType.Ed25519, _signing.PublicKey.Bytes, _blinded),
                Superencrypted = middleBlob,
            }.Sign(_signing);
            if (!HiddenPointDescriptor.TryOpen(document, _identity.PublicKey, _period, s_now, out _, out _, out var error))
            {
                Assert.Equal(HsDescriptorLayer.Inner, error.Layer);
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var mutated = original.ToArray();
        for (var e = random.Next(1, 4); e > 0; e--)
        {
            mutated[random.Next(mutated.Length)] = random.Next(4) switch
            {
                0 => (byte)random.Next(256),
                1 => (byte)' ',
                2 => (byte)'\n',
                _ => (byte)random.Next('A', 'z'),
            };
        }

        return random.Next(8) == 0 ? mutated[..random.Next(mutated.Length)] : mutated;
    }

    private static HsDescriptorContent Content(IReadOnlyList<HsIntroductionPoint> points, ulong revision = 1) => new()
    {
        RevisionCounter = revision,
        LifetimeMinutes = 180,
        CertificatesExpire = s_now.AddHours(54),
        IntroductionPoints = points,
    };

    private static HsDescriptorErrorKind DecryptError(HsDescriptorLayer layer, BlindedPublicKey key, Subcredential subcredential, ulong revision, byte[] blob)
    {
        Assert.False(HsDescriptorEncryption.TryDecrypt(layer, key, subcredential, revision, blob, out _, out var error));
        Assert.Equal(layer, error.Layer);
        return error.Kind;
    }

    private HsDescriptorError InnerError(byte[] inner)
    {
        Assert.False(HsDescriptorInnerLayer.TryParse(inner, _signing.PublicKey, s_now, out _, out var error));
        Assert.Equal(HsDescriptorLayer.Inner, error.Layer);
        return error;
    }

    private static HsDescriptorError MiddleError(string text)
    {
        Assert.False(HsDescriptorMiddleLayer.TryParse(Encoding.ASCII.GetBytes(text), out _, out var error));
        Assert.Equal(HsDescriptorLayer.Middle, error.Layer);
        return error;
    }

    internal static List<HsIntroductionPoint> Points(int count)
    {
        var points = new List<HsIntroductionPoint>();
        for (var i = 0; i < count; i++)
        {
            var specifiers = new LinkSpecifiers(
                new RelayId(Ed25519PublicKey.FromBytes(Random32())),
                new IPEndPoint(IPAddress.Parse($"127.0.{i}.1"), 9001),
                i % 2 == 0 ? new IPEndPoint(IPAddress.Parse($"2001:db8::{i + 1}"), 9001) : null);
            points.Add(new HsIntroductionPoint(
                specifiers,
                new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(Random32())),
                new HsIntroAuthKey(Ed25519PublicKey.FromBytes(Random32())),
                new HsIntroEncryptionPublicKey(X25519PublicKey.FromBytes(Random32()))));
        }

        return points;
    }

    private static void AssertSame(List<HsIntroductionPoint> expected, IReadOnlyList<HsIntroductionPoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].LinkSpecifiers.Identity, actual[i].LinkSpecifiers.Identity);
            Assert.Equal(expected[i].LinkSpecifiers.IPv4, actual[i].LinkSpecifiers.IPv4);
            Assert.Equal(expected[i].LinkSpecifiers.IPv6, actual[i].LinkSpecifiers.IPv6);
            Assert.Equal(expected[i].OnionKey, actual[i].OnionKey);
            Assert.Equal(expected[i].AuthKey, actual[i].AuthKey);
            Assert.Equal(expected[i].EncryptionKey, actual[i].EncryptionKey);
        }
    }

    private static byte[] Random32() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    private static List<string> Lines(byte[] document) => [.. Encoding.ASCII.GetString(document).TrimEnd('\n').Split('\n')];

    private static byte[] Join(IEnumerable<string> lines) => Encoding.ASCII.GetBytes(string.Join('\n', lines) + "\n");
}
