using System.Text;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Protocol.Tests.HiddenPoints;

public sealed class HsDescriptorOuterTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly HiddenPointIdentitySecretKey _identity = HiddenPointIdentitySecretKey.Generate();
    private readonly BlindedSigningKey _blinded;
    private readonly HsDescriptorSigningKey _signing = HsDescriptorSigningKey.Generate();

    public HsDescriptorOuterTests() =>
        _blinded = KeyBlinding.BlindSigningKey(_identity, TimePeriod.FromInstant(s_now), KeyBlindingLabels.Hpc);

    public void Dispose()
    {
        _identity.Dispose();
        _blinded.Dispose();
        _signing.Dispose();
    }

    [Fact]
    public void Round_trips_and_verifies_under_its_blinded_key()
    {
        var blob = Bytes(7000, 3);
        var document = Build(blob: blob, revision: 42, lifetime: 180);
        Assert.True(HsDescriptorParser.TryParse(document, out var unverified, out var error), error.ToString());
        Assert.Equal(42UL, unverified.RevisionCounter);
        Assert.True(unverified.TryVerify(_blinded.PublicKey, s_now, out var descriptor, out error), error.ToString());
        Assert.Equal(180, descriptor.LifetimeMinutes);
        Assert.Equal(TimeSpan.FromHours(3), descriptor.Lifetime);
        Assert.Equal(42UL, descriptor.RevisionCounter);
        Assert.Equal(s_now.AddHours(54), descriptor.SigningKeyExpires);
        Assert.Equal(_signing.PublicKey, descriptor.SigningKey);
        Assert.True(descriptor.Superencrypted.SequenceEqual(blob));
        Assert.True(descriptor.Document.Span.SequenceEqual(document));

        var text = Encoding.ASCII.GetString(document);
        Assert.StartsWith("hpc-hs-descriptor 1\ndescriptor-lifetime 180\ndescriptor-signing-key-cert ", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("superencrypted ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Another_blinded_key_is_refused()
    {
        using var other = KeyBlinding.BlindSigningKey(_identity, TimePeriod.FromInstant(s_now).Next(), KeyBlindingLabels.Hpc);
        Assert.Equal(HsDescriptorErrorKind.WrongBlindedKey, VerifyError(Build(), other.PublicKey, s_now));
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        var document = Build(certExpires: s_now.AddHours(1));
        Assert.Equal(HsDescriptorErrorKind.None, VerifyError(document, _blinded.PublicKey, s_now.AddMinutes(59)));
        Assert.Equal(HsDescriptorErrorKind.CertificateExpired, VerifyError(document, _blinded.PublicKey, s_now.AddHours(1)));
    }

    [Fact]
    public void Certificate_naming_the_blinded_key_but_signed_by_another_is_refused()
    {
        using var forger = KeyBlinding.BlindSigningKey(HiddenPointIdentitySecretKey.Generate(), TimePeriod.FromInstant(s_now), KeyBlindingLabels.Hpc);
        var forged = Ed25519Certificate.Create(
            Ed25519CertificateType.DescriptorSigning, s_now.AddHours(54), Ed25519CertifiedKeyType.Ed25519, _signing.PublicKey.Bytes, forger).Encoded.ToArray();
        _blinded.PublicKey.Bytes.CopyTo(forged.AsSpan(Ed25519Certificate.HeaderLength + 4)); // the signed-with-key extension
        Assert.True(Ed25519Certificate.TryParse(forged, out var certificate, out _));
        var document = new HsDescriptorBuilder
        {
            LifetimeMinutes = 180,
            RevisionCounter = 1,
            SigningKeyCertificate = certificate,
            Superencrypted = Bytes(100, 1),
        }.Sign(_signing);
        Assert.Equal(HsDescriptorErrorKind.BadSignature, VerifyError(document, _blinded.PublicKey, s_now));
    }

    [Fact]
    public void Descriptor_signed_by_a_key_other_than_the_certified_one_is_refused()
    {
        using var other = HsDescriptorSigningKey.Generate();
        var document = Build();
        var forged = new HsDescriptorBuilder
        {
            LifetimeMinutes = 180,
            RevisionCounter = 1,
            SigningKeyCertificate = Certificate(other, s_now.AddHours(54)),
            Superencrypted = Bytes(100, 1),
        }.Sign(other);

        // Splice the honest certificate line into the other key's descriptor.
        var honestCert = Lines(document)[2];
        var lines = Lines(forged);
        lines[2] = honestCert;
        Assert.Equal(HsDescriptorErrorKind.BadSignature, VerifyError(Join(lines), _blinded.PublicKey, s_now));
    }

    [Fact]
    public void Any_changed_signed_byte_breaks_the_signature()
    {
        var document = Build(revision: 5);
        var tampered = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(document).Replace("revision-counter 5", "revision-counter 6", StringComparison.Ordinal));
        Assert.Equal(HsDescriptorErrorKind.BadSignature, VerifyError(tampered, _blinded.PublicKey, s_now));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(721)]
    [InlineData(0)]
    public void Lifetime_out_of_range_is_refused(int minutes)
    {
        var lines = Lines(Build());
        lines[1] = $"descriptor-lifetime {minutes}";
        var error = ParseError(Join(lines));
        Assert.Equal(HsDescriptorErrorKind.BadLifetime, error.Kind);
        Assert.Equal(2, error.Line);
        Assert.Throws<ArgumentException>(() => Build(lifetime: minutes));
    }

    [Fact]
    public void Syntax_problems_give_document_errors()
    {
        var lines = Lines(Build());
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, ParseError(Join([.. lines[..4], lines[3], .. lines[4..]])).Syntax);
        Assert.Equal(DocumentErrorKind.UnknownKeyword, ParseError(Join([.. lines[..4], "x-extra 1", .. lines[4..]])).Syntax);
        Assert.Equal(DocumentErrorKind.MissingKeyword, ParseError(Join([lines[0], .. lines[2..]])).Syntax);
        Assert.Equal(DocumentErrorKind.MissingKeyword, ParseError(Join([lines[0], lines[3], lines[1], lines[2], .. lines[4..]])).Syntax);
        Assert.Equal(DocumentErrorKind.WrongDocumentType, ParseError(Join(["hs-descriptor 3", .. lines[1..]])).Syntax);
        Assert.Equal(DocumentErrorKind.UnsupportedVersion, ParseError(Join(["hpc-hs-descriptor 2", .. lines[1..]])).Syntax);
        Assert.Equal(DocumentErrorKind.BadInteger, ParseError(Join([.. lines[..3], "revision-counter 01", .. lines[4..]])).Syntax);
        Assert.Equal(DocumentErrorKind.BadInteger, ParseError(Join([.. lines[..3], "revision-counter 18446744073709551616", .. lines[4..]])).Syntax);
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, ParseError(Join([.. lines, lines[1]])).Syntax);
        Assert.Equal(DocumentErrorKind.Truncated, ParseError(Join(lines)[..^1]).Syntax);
        Assert.Equal(DocumentErrorKind.TooLarge, ParseError(new byte[HsDescriptorFormat.MaxSize + 1]).Syntax);
    }

    [Fact]
    public void Every_outer_keyword_with_missing_or_extra_arguments_is_refused()
    {
        var lines = Lines(Build());
        for (var i = 0; i < lines.Count; i++)
        {
            var keyword = lines[i].Split(' ')[0];
            foreach (var replacement in new[] { keyword, lines[i] + " extra" })
            {
                var changed = lines.ToList();
                changed[i] = replacement;
                var error = ParseError(Join(changed));
                Assert.Equal(DocumentErrorKind.WrongArgumentCount, error.Syntax);
                Assert.Equal(i + 1, error.Line);
            }
        }
    }

    [Fact]
    public void Blob_lines_have_one_spelling()
    {
        var lines = Lines(Build(blob: Bytes(7000, 3)));
        var first = lines.FindIndex(l => l.StartsWith("superencrypted ", StringComparison.Ordinal));

        // A full line after a short one: the short line is not the last.
        var reordered = lines.ToList();
        (reordered[first], reordered[first + 2]) = (reordered[first + 2], reordered[first]);
        Assert.Equal(DocumentErrorKind.BadBase64, ParseError(Join(reordered)).Syntax);

        // Padding, or non-zero unused bits, are refused.
        var padded = lines.ToList();
        padded[first + 2] += "=";
        Assert.Equal(DocumentErrorKind.BadBase64, ParseError(Join(padded)).Syntax);
    }

    [Fact]
    public void Wrong_certificate_type_and_bad_certificate_are_refused()
    {
        var intro = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_now.AddHours(54), Ed25519CertifiedKeyType.Ed25519, _signing.PublicKey.Bytes, _blinded);
        var lines = Lines(Build());
        lines[2] = "descriptor-signing-key-cert " + Convert.ToBase64String(intro.Encoded).TrimEnd('=');
        Assert.Equal(HsDescriptorErrorKind.WrongCertificateType, ParseError(Join(lines)).Kind);

        lines[2] = "descriptor-signing-key-cert " + Convert.ToBase64String(intro.Encoded[..100]).TrimEnd('=');
        var error = ParseError(Join(lines));
        Assert.Equal(HsDescriptorErrorKind.BadCertificate, error.Kind);
        Assert.Equal(Ed25519CertificateError.Truncated, error.Certificate);
    }

    [Fact]
    public void Random_mutations_give_only_typed_errors()
    {
        var document = Build(blob: Bytes(5000, 9));
        var random = new Random(77);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = document.ToArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                mutated[random.Next(mutated.Length)] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)' ',
                    _ => (byte)'\n',
                };
            }

            if (random.Next(10) == 0)
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }

            if (HsDescriptorParser.TryParse(mutated, out var unverified, out var error))
            {
                var verified = unverified.TryVerify(_blinded.PublicKey, s_now, out _, out error);
                Assert.True(verified == mutated.AsSpan().SequenceEqual(document) || !verified, "a mutated descriptor verified");
            }
            else
            {
                Assert.NotEqual(HsDescriptorErrorKind.None, error.Kind);
            }
        }
    }

    private byte[] Build(byte[]? blob = null, ulong revision = 1, int lifetime = 180, DateTimeOffset? certExpires = null) =>
        new HsDescriptorBuilder
        {
            LifetimeMinutes = lifetime,
            RevisionCounter = revision,
            SigningKeyCertificate = Certificate(_signing, certExpires ?? s_now.AddHours(54)),
            Superencrypted = blob ?? Bytes(200, 1),
        }.Sign(_signing);

    private Ed25519Certificate Certificate(HsDescriptorSigningKey signing, DateTimeOffset expires) =>
        Ed25519Certificate.Create(Ed25519CertificateType.DescriptorSigning, expires, Ed25519CertifiedKeyType.Ed25519, signing.PublicKey.Bytes, _blinded);

    private static HsDescriptorErrorKind VerifyError(byte[] document, BlindedPublicKey key, DateTimeOffset now)
    {
        Assert.True(HsDescriptorParser.TryParse(document, out var unverified, out var error), error.ToString());
        unverified.TryVerify(key, now, out _, out error);
        return error.Kind;
    }

    private static HsDescriptorError ParseError(byte[] document)
    {
        Assert.False(HsDescriptorParser.TryParse(document, out _, out var error));
        Assert.NotEqual(HsDescriptorErrorKind.None, error.Kind);
        Assert.Equal(HsDescriptorLayer.Outer, error.Layer);
        return error;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static List<string> Lines(byte[] document) => [.. Encoding.ASCII.GetString(document).TrimEnd('\n').Split('\n')];

    private static byte[] Join(IEnumerable<string> lines) => Encoding.ASCII.GetBytes(string.Join('\n', lines) + "\n");
}
