using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

public class RelayDescriptorTests
{
    private static RelayDescriptor ParseVerifyAndCheck(byte[] document, DateTimeOffset now)
    {
        Assert.True(RelayDescriptorParser.TryParse(document, out var unverified, out var error), error.ToString());
        var signed = unverified.VerifySignature();
        Assert.True(signed.IsValid, signed.ToString());
        var timely = signed.Value.CheckValidAt(now);
        Assert.True(timely.IsUsable, timely.ToString());
        return timely.Value;
    }

    private static DocumentError ParseError(byte[] document)
    {
        Assert.False(RelayDescriptorParser.TryParse(document, out var unverified, out var error));
        Assert.Null(unverified);
        return error;
    }

    [Fact]
    public void Descriptor_round_trips_with_every_field()
    {
        using var identity = RelayIdentity();
        using var other = RelayIdentity(7);
        using var another = RelayIdentity(8);
        var builder = DescriptorBuilder([another.Id, other.Id]);
        var document = builder.Sign(identity);

        Assert.NotEqual(builder.LinkKey.Key, builder.CircuitHandshakeKey.Key);
        var descriptor = ParseVerifyAndCheck(document, Published.AddHours(1));

        Assert.Equal("Relay1", descriptor.Nickname);
        Assert.Equal(identity.Id, descriptor.Identity);
        Assert.Equal(Published, descriptor.Published);
        Assert.Equal(builder.LinkKey, descriptor.LinkKey);
        Assert.Equal(builder.LinkKeyExpires, descriptor.LinkKeyExpires);
        Assert.Equal(builder.CircuitHandshakeKey, descriptor.CircuitHandshakeKey);
        Assert.Equal(builder.CircuitHandshakeKeyExpires, descriptor.CircuitHandshakeKeyExpires);
        Assert.Equal(builder.Addresses, descriptor.Addresses);
        Assert.Equal(1_250_000u, descriptor.Bandwidth);
        Assert.Equal("hpc-relay/0.1.0", descriptor.Software);
        Assert.Equal("HsDir=1,5 Link=1 Relay=1-3", descriptor.Protocols.ToString());
        Assert.True(descriptor.Protocols.Supports("Relay", 3));
        Assert.False(descriptor.Protocols.Supports("Relay", 4));
        Assert.Equal(2, descriptor.Family.Count);
        Assert.True(descriptor.Family[0].Key.Bytes.SequenceCompareTo(descriptor.Family[1].Key.Bytes) < 0);
        Assert.Contains(other.Id, descriptor.Family);
        Assert.Equal(document, descriptor.Document.ToArray());

        // Re-encoding the parsed fields gives the same bytes (Ed25519 signatures are deterministic).
        var again = new RelayDescriptorBuilder
        {
            Nickname = descriptor.Nickname,
            Published = descriptor.Published,
            LinkKey = descriptor.LinkKey,
            LinkKeyExpires = descriptor.LinkKeyExpires,
            CircuitHandshakeKey = descriptor.CircuitHandshakeKey,
            CircuitHandshakeKeyExpires = descriptor.CircuitHandshakeKeyExpires,
            Addresses = descriptor.Addresses,
            Bandwidth = descriptor.Bandwidth,
            Software = descriptor.Software,
            Protocols = descriptor.Protocols,
            Family = descriptor.Family,
        }.Sign(identity);
        Assert.Equal(document, again);
    }

    [Fact]
    public void Descriptor_text_is_the_documented_format()
    {
        var lines = Text(Descriptor()).Split('\n');
        Assert.Equal("hpc-relay-descriptor 1", lines[0]);
        Assert.Equal("nickname Relay1", lines[1]);
        Assert.StartsWith("identity ", lines[2], StringComparison.Ordinal);
        Assert.Equal(43, lines[2].Length - "identity ".Length);
        Assert.Equal("published 2026-11-28 07:30:00", lines[3]);
        Assert.StartsWith("link-key-cert 2026-12-28 07:30:00 ", lines[5], StringComparison.Ordinal);
        Assert.Equal("address 127.1.0.1:9001", lines[8]);
        Assert.Equal("address [2001:db8::1]:9001", lines[9]);
        Assert.Equal("bandwidth 1250000", lines[10]);
        Assert.StartsWith("router-signature ", lines[^2], StringComparison.Ordinal);
        Assert.Equal(86, lines[^2].Length - "router-signature ".Length);
        Assert.Equal(string.Empty, lines[^1]);
    }

    [Fact]
    public void Forged_descriptor_signature_is_refused()
    {
        // Another key signs the same content but the descriptor still claims the first identity.
        using var identity = RelayIdentity();
        using var forger = RelayIdentity(99);
        var genuine = Descriptor();
        var forged = DescriptorBuilder([RelayIdentity(7).Id]).Sign(forger);
        var forgedSignature = LineStartingWith(forged, "router-signature ");
        var document = ReplaceLine(genuine, "router-signature ", forgedSignature);

        Assert.True(RelayDescriptorParser.TryParse(document, out var unverified, out _));
        Assert.Equal(identity.Id, unverified.ClaimedIdentity);
        var check = unverified.VerifySignature();
        Assert.False(check.IsValid);
        Assert.Equal(SignatureError.BadSignature, check.Error);
        Assert.Null(check.Value);
    }

    [Fact]
    public void Changed_field_breaks_the_descriptor_signature()
    {
        var document = ReplaceLine(Descriptor(), "bandwidth ", "bandwidth 1250001");
        Assert.True(RelayDescriptorParser.TryParse(document, out var unverified, out _));
        Assert.Equal(SignatureError.BadSignature, unverified.VerifySignature().Error);
    }

    [Fact]
    public void Certificate_for_another_key_is_refused_even_when_the_descriptor_is_signed()
    {
        // A relay identity that signs a descriptor whose link certificate was made for a different key.
        using var identity = RelayIdentity();
        var withOtherKey = DescriptorBuilder();
        var original = Descriptor();
        var swapped = new RelayDescriptorBuilder
        {
            Nickname = "Relay1",
            Published = Published,
            LinkKey = LinkKey(5),
            LinkKeyExpires = Published.AddDays(30),
            CircuitHandshakeKey = CircuitKey(),
            CircuitHandshakeKeyExpires = Published.AddDays(7),
            Addresses = withOtherKey.Addresses,
            Bandwidth = 1,
            Software = "x",
            Protocols = Protocols(),
        }.Sign(identity);
        var otherCertificate = LineStartingWith(swapped, "link-key-cert ");
        var document = ReplaceLine(original, "link-key-cert ", otherCertificate);
        var resigned = Resign(document, identity);

        Assert.True(RelayDescriptorParser.TryParse(resigned, out var unverified, out _));
        Assert.Equal(SignatureError.BadCertificate, unverified.VerifySignature().Error);
    }

    [Fact]
    public void Certificate_for_one_role_does_not_certify_the_other()
    {
        // Same key under both roles, certificates swapped: each signature is genuine but for the other role.
        using var identity = RelayIdentity();
        var b = DescriptorBuilder();
        var sameKey = new RelayDescriptorBuilder
        {
            Nickname = b.Nickname,
            Published = b.Published,
            LinkKey = b.LinkKey,
            LinkKeyExpires = b.LinkKeyExpires,
            CircuitHandshakeKey = new CircuitHandshakePublicKey(b.LinkKey.Key),
            CircuitHandshakeKeyExpires = b.LinkKeyExpires,
            Addresses = b.Addresses,
            Bandwidth = b.Bandwidth,
            Software = b.Software,
            Protocols = b.Protocols,
        }.Sign(identity);
        Assert.True(RelayDescriptorParser.TryParse(sameKey, out var genuine, out _));
        Assert.True(genuine.VerifySignature().IsValid);

        var link = LineStartingWith(sameKey, "link-key-cert ")["link-key-cert ".Length..];
        var circuit = LineStartingWith(sameKey, "circuit-handshake-key-cert ")["circuit-handshake-key-cert ".Length..];
        Assert.NotEqual(link, circuit);
        var swapped = ReplaceLine(sameKey, "link-key-cert ", "link-key-cert " + circuit);
        swapped = ReplaceLine(swapped, "circuit-handshake-key-cert ", "circuit-handshake-key-cert " + link);
        Assert.True(RelayDescriptorParser.TryParse(Resign(swapped, identity), out var unverified, out _));
        Assert.Equal(SignatureError.BadCertificate, unverified.VerifySignature().Error);
    }

    [Fact]
    public void Descriptor_is_timely_between_publication_and_the_earliest_expiry()
    {
        Assert.True(RelayDescriptorParser.TryParse(Descriptor(), out var unverified, out _));
        var bound = unverified.VerifySignature().Value!;
        Assert.Equal(Published - RelayDescriptor.ClockSkewAllowance, bound.ValidFrom);
        Assert.Equal(Published + RelayDescriptor.Lifetime, bound.ValidUntil);

        Assert.Equal(Timeliness.Valid, bound.CheckValidAt(Published).Status);
        Assert.Equal(Timeliness.Valid, bound.CheckValidAt(Published.AddMinutes(-59)).Status);
        Assert.Equal(Timeliness.NotYetValid, bound.CheckValidAt(Published.AddHours(-2)).Status);
        Assert.Equal(Timeliness.Expired, bound.CheckValidAt(Published.AddHours(49)).Status);
        Assert.Null(bound.CheckValidAt(Published.AddHours(49)).Value);
    }

    [Fact]
    public void Descriptor_expires_with_its_first_certificate()
    {
        using var identity = RelayIdentity();
        var document = DescriptorBuilder().Sign(identity);
        var builder = DescriptorBuilder();
        var shortLived = new RelayDescriptorBuilder
        {
            Nickname = builder.Nickname,
            Published = builder.Published,
            LinkKey = builder.LinkKey,
            LinkKeyExpires = Published.AddHours(2),
            CircuitHandshakeKey = builder.CircuitHandshakeKey,
            CircuitHandshakeKeyExpires = builder.CircuitHandshakeKeyExpires,
            Addresses = builder.Addresses,
            Bandwidth = builder.Bandwidth,
            Software = builder.Software,
            Protocols = builder.Protocols,
        }.Sign(identity);
        Assert.NotEqual(document, shortLived);
        Assert.True(RelayDescriptorParser.TryParse(shortLived, out var unverified, out _));
        var bound = unverified.VerifySignature().Value!;
        Assert.Equal(Published.AddHours(2), bound.ValidUntil);
        Assert.Equal(Timeliness.Expired, bound.CheckValidAt(Published.AddHours(3)).Status);
    }

    [Fact]
    public void Time_check_reads_an_injected_clock()
    {
        Assert.True(RelayDescriptorParser.TryParse(Descriptor(), out var unverified, out _));
        var bound = unverified.VerifySignature().Value!;
        Assert.True(bound.CheckValidAt(new FakeTimeProvider(Published.AddHours(1))).IsUsable);
        Assert.False(bound.CheckValidAt(new FakeTimeProvider(Published.AddDays(3))).IsUsable);
    }

    [Fact]
    public void Test_bypasses_skip_the_checks_they_name()
    {
        var document = ReplaceLine(Descriptor(), "bandwidth ", "bandwidth 7");
        Assert.True(RelayDescriptorParser.TryParse(document, out var unverified, out _));
        var descriptor = unverified.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely();
        Assert.Equal(7u, descriptor.Bandwidth);
    }

    [Fact]
    public void Oversized_descriptor_is_refused_before_parsing()
    {
        var document = new byte[RelayDescriptor.MaxSize + 1]; // zeros: would be InvalidCharacter if looked at
        Assert.Equal(new DocumentError(DocumentErrorKind.TooLarge, 0, null), ParseError(document));
    }

    [Fact]
    public void Duplicate_keyword_is_refused()
    {
        var document = InsertBefore(Descriptor(), "software ", "bandwidth 5");
        var error = ParseError(document);
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, error.Kind);
        Assert.Equal("bandwidth", error.Keyword);
        Assert.Equal(LineNumberOf(document, "software ") - 1, error.Line);
    }

    [Fact]
    public void Unknown_keyword_is_refused()
    {
        var document = InsertBefore(Descriptor(), "software ", "contact someone@example.org");
        Assert.Equal(new DocumentError(DocumentErrorKind.UnknownKeyword, LineNumberOf(document, "contact"), "contact"), ParseError(document));
    }

    [Fact]
    public void Extension_keyword_is_refused_in_descriptors()
    {
        var document = InsertBefore(Descriptor(), "software ", "x-contact someone");
        Assert.Equal(DocumentErrorKind.UnknownKeyword, ParseError(document).Kind);
    }

    [Fact]
    public void Missing_required_keyword_is_refused()
    {
        var document = ReplaceLine(Descriptor(), "software ", null);
        var error = ParseError(document);
        Assert.Equal(DocumentErrorKind.MissingKeyword, error.Kind);
        Assert.Equal("software", error.Keyword);
        Assert.Equal(LineNumberOf(document, "protocols "), error.Line);
    }

    [Fact]
    public void Missing_signature_is_refused()
    {
        var document = ReplaceLine(Descriptor(), "router-signature ", null);
        var error = ParseError(document);
        Assert.Equal(DocumentErrorKind.MissingKeyword, error.Kind);
        Assert.Equal("router-signature", error.Keyword);
    }

    [Fact]
    public void Keyword_out_of_order_is_refused()
    {
        var document = ReplaceLine(Descriptor(), "address [", null);
        document = InsertBefore(document, "software ", "address [2001:db8::1]:9001");
        var error = ParseError(document);
        Assert.Equal(DocumentErrorKind.KeywordOutOfOrder, error.Kind);
        Assert.Equal("address", error.Keyword);
    }

    [Fact]
    public void Line_after_the_signature_is_refused()
    {
        var document = Bytes(Text(Descriptor()) + "nickname Again\n");
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, ParseError(document).Kind);
    }

    [Theory]
    [InlineData("identity AAAA")] // too short
    [InlineData("identity AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padding
    [InlineData("identity AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")] // non-zero unused bits
    [InlineData("identity AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*")] // not base64
    [InlineData("identity AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-")] // url-safe alphabet
    public void Bad_base64_is_refused(string line)
    {
        var error = ParseError(ReplaceLine(Descriptor(), "identity ", line));
        Assert.Equal(new DocumentError(DocumentErrorKind.BadBase64, 3, "identity"), error);
    }

    [Theory]
    [InlineData("published 2026-02-30 07:30:00")]
    [InlineData("published 2026-11-28 24:00:00")]
    [InlineData("published 2026-11-28 07:30:60")]
    [InlineData("published 2026-11-28T07:30:00")]
    [InlineData("published 1999-12-31 23:59:59")]
    [InlineData("published 2026-1-28 07:30:00")]
    [InlineData("published 2026-11-28 7:30:00")]
    public void Bad_time_is_refused(string line)
    {
        var error = ParseError(ReplaceLine(Descriptor(), "published ", line));
        Assert.Equal(4, error.Line);
        Assert.Equal("published", error.Keyword);
        Assert.True(error.Kind is DocumentErrorKind.BadTime or DocumentErrorKind.WrongArgumentCount, error.ToString());
    }

    [Fact]
    public void Certificate_expiring_before_publication_is_refused()
    {
        var line = LineStartingWith(Descriptor(), "link-key-cert ").Split(' ');
        var error = ParseError(ReplaceLine(Descriptor(), "link-key-cert ", $"link-key-cert 2026-11-28 07:29:59 {line[3]}"));
        Assert.Equal(new DocumentError(DocumentErrorKind.TimesOutOfOrder, 6, "link-key-cert"), error);
    }

    [Theory]
    [InlineData("nickname Relay_1")]
    [InlineData("nickname ThisNicknameIsTooLong")]
    [InlineData("nickname Relé")]
    public void Bad_nickname_is_refused(string line)
    {
        var document = ReplaceLine(Descriptor(), "nickname ", line);
        if (line.Any(c => c > 0x7E))
        {
            document = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.ASCII.GetString(Descriptor()).Replace("nickname Relay1", line, StringComparison.Ordinal));
            Assert.Equal(DocumentErrorKind.InvalidCharacter, ParseError(document).Kind);
            return;
        }

        Assert.Equal(new DocumentError(DocumentErrorKind.BadNickname, 2, "nickname"), ParseError(document));
    }

    [Theory]
    [InlineData("address 127.1.0.1")]
    [InlineData("address 127.1.0.1:0")]
    [InlineData("address 127.1.0.1:65536")]
    [InlineData("address 127.01.0.1:9001")]
    [InlineData("address 256.1.0.1:9001")]
    [InlineData("address 127.1.0:9001")]
    [InlineData("address 0.0.0.0:9001")]
    [InlineData("address 2001:db8::1:9001")]
    [InlineData("address [2001:DB8::1]:9001")]
    [InlineData("address [2001:db8:0:0:0:0:0:1]:9001")]
    [InlineData("address [::ffff:127.0.0.1]:9001")]
    [InlineData("address [::]:9001")]
    [InlineData("address [fe80::1%1]:9001")]
    [InlineData("address example.org:9001")]
    [InlineData("address 127.1.0.1:09001")]
    public void Bad_address_is_refused(string line)
    {
        var error = ParseError(ReplaceLine(Descriptor(), "address 127", line));
        Assert.Equal(new DocumentError(DocumentErrorKind.BadAddress, 9, "address"), error);
    }

    [Fact]
    public void Repeated_address_is_refused()
    {
        var document = InsertBefore(Descriptor(), "bandwidth ", "address 127.1.0.1:9001");
        Assert.Equal(DocumentErrorKind.DuplicateEntry, ParseError(document).Kind);
    }

    [Fact]
    public void Too_many_addresses_are_refused()
    {
        var document = Descriptor();
        for (var i = 2; i <= 8; i++)
        {
            document = InsertBefore(document, "bandwidth ", $"address 10.0.0.{i}:1");
        }

        Assert.Equal(DocumentErrorKind.TooManyItems, ParseError(document).Kind);
    }

    [Theory]
    [InlineData("protocols Link=1 HsDir=1")] // unsorted
    [InlineData("protocols Link=1-1")] // degenerate range
    [InlineData("protocols Link=1,2")] // not merged
    [InlineData("protocols Link=3,1")] // descending
    [InlineData("protocols Link=64")] // version too high
    [InlineData("protocols Link=")]
    [InlineData("protocols =1")]
    [InlineData("protocols Link=1 Link=2")]
    public void Bad_protocol_list_is_refused(string line) =>
        Assert.Equal(DocumentErrorKind.BadProtocols, ParseError(ReplaceLine(Descriptor(), "protocols ", line)).Kind);

    [Theory]
    [InlineData("bandwidth 01")]
    [InlineData("bandwidth -1")]
    [InlineData("bandwidth 4294967296")]
    [InlineData("bandwidth +5")]
    public void Bad_integer_is_refused(string line) =>
        Assert.Equal(DocumentErrorKind.BadInteger, ParseError(ReplaceLine(Descriptor(), "bandwidth ", line)).Kind);

    [Fact]
    public void Relay_in_its_own_family_is_refused()
    {
        var identity = LineStartingWith(Descriptor(), "identity ").Split(' ')[1];
        Assert.Equal(DocumentErrorKind.SelfInFamily, ParseError(ReplaceLine(Descriptor(), "family ", $"family {identity}")).Kind);
    }

    [Fact]
    public void Unsorted_family_is_refused()
    {
        using var a = RelayIdentity(7);
        using var b = RelayIdentity(8);
        var ids = new[] { a.Id.ToString(), b.Id.ToString() }.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var sorted = new[] { a.Id, b.Id }.OrderBy(id => id.Key.Bytes.ToArray(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToArray();
        var line = $"family {sorted[1]} {sorted[0]}";
        Assert.Equal(DocumentErrorKind.NotSorted, ParseError(ReplaceLine(Descriptor(), "family ", line)).Kind);
        Assert.Equal(DocumentErrorKind.DuplicateEntry, ParseError(ReplaceLine(Descriptor(), "family ", $"family {ids[0]} {ids[0]}")).Kind);
    }

    [Fact]
    public void Descriptor_without_a_family_line_has_an_empty_family()
    {
        using var identity = RelayIdentity();
        var document = DescriptorBuilder().Sign(identity);
        Assert.DoesNotContain("\nfamily ", Text(document), StringComparison.Ordinal);
        Assert.Empty(ParseVerifyAndCheck(document, Published.AddHours(1)).Family);
    }

    [Fact]
    public void Family_of_the_largest_size_is_accepted_and_one_more_is_refused()
    {
        using var identity = RelayIdentity();
        var members = Enumerable.Range(100, RelayDescriptor.MaxFamily + 1).Select(i =>
        {
            using var key = RelayIdentity(i);
            return key.Id;
        }).ToArray();
        var largest = DescriptorBuilder(members[..RelayDescriptor.MaxFamily]).Sign(identity);
        Assert.Equal(RelayDescriptor.MaxFamily, ParseVerifyAndCheck(largest, Published.AddHours(1)).Family.Count);

        var sorted = members.OrderBy(id => id.Key.Bytes.ToArray(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)));
        var tooMany = ReplaceLine(largest, "family ", "family " + string.Join(' ', sorted));
        Assert.Equal(DocumentErrorKind.WrongArgumentCount, ParseError(tooMany).Kind);
        Assert.Throws<ArgumentException>(() => DescriptorBuilder(members).Sign(identity));
    }

    [Theory]
    [InlineData("family AAAA")] // too short
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padding
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")] // non-zero unused bits
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*")] // not base64
    [InlineData("family Relay2")] // a nickname is not an id
    public void Malformed_family_member_is_refused(string line)
    {
        var error = ParseError(ReplaceLine(Descriptor(), "family ", line));
        Assert.Equal(DocumentErrorKind.BadBase64, error.Kind);
        Assert.Equal("family", error.Keyword);
    }

    [Fact]
    public void Empty_family_line_is_refused() =>
        Assert.Equal(DocumentErrorKind.WrongArgumentCount, ParseError(ReplaceLine(Descriptor(), "family ", "family")).Kind);

    [Fact]
    public void Builder_writes_the_family_sorted_and_refuses_repeats()
    {
        using var identity = RelayIdentity();
        using var a = RelayIdentity(7);
        using var b = RelayIdentity(8);
        Assert.Equal(DescriptorBuilder([a.Id, b.Id]).Sign(identity), DescriptorBuilder([b.Id, a.Id]).Sign(identity));
        Assert.Throws<ArgumentException>(() => DescriptorBuilder([a.Id, a.Id]).Sign(identity));
    }

    [Theory]
    [InlineData("hpc-relay-descriptor 2", DocumentErrorKind.UnsupportedVersion)]
    [InlineData("hpc-consensus 1", DocumentErrorKind.WrongDocumentType)]
    [InlineData("nickname Relay1", DocumentErrorKind.WrongDocumentType)]
    public void Wrong_first_line_is_refused(string line, DocumentErrorKind kind)
    {
        var error = ParseError(ReplaceLine(Descriptor(), "hpc-relay-descriptor ", line));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(1, error.Line);
    }

    [Theory]
    [InlineData("nickname  Relay1")]
    [InlineData("nickname Relay1 ")]
    [InlineData(" nickname Relay1")]
    [InlineData("Nickname Relay1")]
    [InlineData("")]
    public void Malformed_line_is_refused(string line) =>
        Assert.Equal(new DocumentError(DocumentErrorKind.MalformedLine, 2, null), ParseError(ReplaceLine(Descriptor(), "nickname ", line)));

    [Fact]
    public void Wrong_argument_count_is_refused() =>
        Assert.Equal(
            new DocumentError(DocumentErrorKind.WrongArgumentCount, 2, "nickname"),
            ParseError(ReplaceLine(Descriptor(), "nickname ", "nickname Relay1 Relay2")));

    [Theory]
    [InlineData("\r")]
    [InlineData("\t")]
    [InlineData("\0")]
    public void Control_characters_are_refused(string character)
    {
        var document = Bytes(Text(Descriptor()).Replace("nickname Relay1\n", $"nickname Relay1{character}\n", StringComparison.Ordinal));
        Assert.Equal(new DocumentError(DocumentErrorKind.InvalidCharacter, 2, null), ParseError(document));
    }

    [Fact]
    public void Truncated_descriptor_is_refused()
    {
        var document = Descriptor();
        Assert.Equal(DocumentErrorKind.Truncated, ParseError(document[..^1]).Kind);
        Assert.Equal(DocumentErrorKind.Truncated, ParseError([]).Kind);
    }

    [Fact]
    public void Builder_refuses_invalid_fields()
    {
        using var identity = RelayIdentity();
        Assert.Throws<ArgumentException>(() => CopyWith(nickname: "bad nick").Sign(identity));
        Assert.Throws<ArgumentException>(() => CopyWith(published: Published.AddMilliseconds(5)).Sign(identity));
        Assert.Throws<ArgumentException>(() => CopyWith(addresses: []).Sign(identity));
        Assert.Throws<ArgumentException>(() => CopyWith(family: [identity.Id]).Sign(identity));
    }

    private static RelayDescriptorBuilder CopyWith(string? nickname = null, DateTimeOffset? published = null, IReadOnlyList<RelayAddress>? addresses = null, IReadOnlyList<RelayId>? family = null)
    {
        var b = DescriptorBuilder();
        return new RelayDescriptorBuilder
        {
            Nickname = nickname ?? b.Nickname,
            Published = published ?? b.Published,
            LinkKey = b.LinkKey,
            LinkKeyExpires = b.LinkKeyExpires,
            CircuitHandshakeKey = b.CircuitHandshakeKey,
            CircuitHandshakeKeyExpires = b.CircuitHandshakeKeyExpires,
            Addresses = addresses ?? b.Addresses,
            Bandwidth = b.Bandwidth,
            Software = b.Software,
            Protocols = b.Protocols,
            Family = family ?? b.Family,
        };
    }

    /// <summary>Signs a hand-edited descriptor again, as its identity would, to test what lies past the signature.</summary>
    private static byte[] Resign(byte[] document, RelayIdentityKey identity)
    {
        var text = Text(document);
        var start = text.LastIndexOf("router-signature ", StringComparison.Ordinal) + "router-signature ".Length;
        var message = Bytes("hpc-relay-descriptor-signature\0" + text[..start]);
        var signature = Convert.ToBase64String(identity.Sign(message)).TrimEnd('=');
        return Bytes(text[..start] + signature + "\n");
    }
}
