using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

public class NetworkStatusTests
{
    private static UnverifiedConsensus Parse(byte[] document)
    {
        Assert.True(NetworkStatusParser.TryParseConsensus(document, out var consensus, out var error), error.ToString());
        return consensus;
    }

    private static DocumentError ParseError(byte[] document)
    {
        Assert.False(NetworkStatusParser.TryParseConsensus(document, out var consensus, out var error));
        Assert.Null(consensus);
        return error;
    }

    private static Consensus Usable(byte[] document, AuthorityId[] pinned, DateTimeOffset now)
    {
        var check = Parse(document).VerifySignatures(pinned);
        Assert.True(check.IsValid, check.ToString());
        var timely = check.Value.CheckValidAt(now, held: null);
        Assert.True(timely.IsUsable, timely.ToString());
        return timely.Value;
    }

    [Fact]
    public void Consensus_round_trips_with_every_field()
    {
        var keys = Enumerable.Range(0, 3).Select(Authority).ToArray();
        var relays = Relays(20);
        var builder = StatusBuilder(keys.Select(AuthorityEntry).ToArray(), relays);
        var body = builder.BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k)));

        var consensus = Usable(document, Pinned(0, 1, 2), ValidAfter.AddMinutes(5));

        Assert.Equal(NetworkStatusKind.Consensus, consensus.Kind);
        Assert.Equal(ValidAfter, consensus.ValidAfter);
        Assert.Equal(ValidAfter.AddHours(1), consensus.FreshUntil);
        Assert.Equal(ValidAfter.AddHours(3), consensus.ValidUntil);
        Assert.Equal(builder.SharedRandomPreviousValue.ToArray(), consensus.SharedRandomPreviousValue.ToArray());
        Assert.Equal(builder.SharedRandomCurrentValue.ToArray(), consensus.SharedRandomCurrentValue.ToArray());
        Assert.Equal(3, consensus.Signers.Count);
        Assert.Equal(["CircuitWindow", "FutureThing", "HsDirReplicas"], consensus.Parameters.All.Select(p => p.Key));
        Assert.Equal(500, consensus.Parameters.Get(NetworkParameter.CircuitWindow));
        Assert.Equal(-7, consensus.Parameters.All[1].Value);
        Assert.Equal(NetworkParameter.HsDirSpreadStore.Default, consensus.Parameters.Get(NetworkParameter.HsDirSpreadStore));
        Assert.Equal(keys.Select(k => k.Id).OrderBy(id => id.Key.Bytes.ToArray(), ByteOrder), consensus.Authorities.Select(a => a.Id));
        Assert.Equal(relays.Count, consensus.Relays.Count);
        var sorted = relays.OrderBy(r => r.Id.Key.Bytes.ToArray(), ByteOrder).ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            var expected = sorted[i];
            var actual = consensus.Relays[i];
            Assert.Equal(expected.Id, actual.Id);
            Assert.Equal(expected.Nickname, actual.Nickname);
            Assert.Equal(expected.Addresses, actual.Addresses);
            Assert.Equal(expected.LinkKey, actual.LinkKey);
            Assert.Equal(expected.CircuitHandshakeKey, actual.CircuitHandshakeKey);
            Assert.Equal(expected.Flags, actual.Flags);
            Assert.Equal(expected.BandwidthWeight, actual.BandwidthWeight);
            Assert.True(consensus.TryGetRelay(expected.Id, out var found));
            Assert.Same(actual, found);
        }

        Assert.False(consensus.TryGetRelay(new RelayId(Ed25519PublicKey.FromBytes(new byte[32])), out _));
        Assert.Equal(document, consensus.Document.ToArray());

        // Re-encoding the parsed consensus gives the same body.
        var again = new NetworkStatusBuilder
        {
            ValidAfter = consensus.ValidAfter,
            FreshUntil = consensus.FreshUntil,
            ValidUntil = consensus.ValidUntil,
            Parameters = consensus.Parameters,
            SharedRandomPreviousValue = consensus.SharedRandomPreviousValue,
            SharedRandomCurrentValue = consensus.SharedRandomCurrentValue,
            Authorities = consensus.Authorities,
            Relays = consensus.Relays,
        }.BuildBody(NetworkStatusKind.Consensus);
        Assert.Equal(body, again);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void Encoder_is_deterministic_whatever_the_input_order()
    {
        var keys = Enumerable.Range(0, 3).Select(Authority).ToArray();
        var relays = Relays(50);
        var authorities = keys.Select(AuthorityEntry).ToArray();
        var first = StatusBuilder(authorities, relays).BuildBody(NetworkStatusKind.Consensus);
        var shuffled = relays.ToList();
        new Random(3).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        var second = StatusBuilder(authorities.Reverse().ToArray(), shuffled).BuildBody(NetworkStatusKind.Consensus);
        Assert.Equal(first, second);

        var signaturesA = keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, first, k)).ToArray();
        Assert.Equal(
            NetworkStatusBuilder.Assemble(first, signaturesA),
            NetworkStatusBuilder.Assemble(second, signaturesA.Reverse()));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void Consensus_text_is_the_documented_format()
    {
        var lines = Text(Consensus(3, [0, 1, 2], relayCount: 1)).Split('\n');
        Assert.Equal("hpc-consensus 1", lines[0]);
        Assert.Equal("valid-after 2026-11-28 08:00:00", lines[1]);
        Assert.Equal("fresh-until 2026-11-28 09:00:00", lines[2]);
        Assert.Equal("valid-until 2026-11-28 11:00:00", lines[3]);
        Assert.Equal("params CircuitWindow=500 FutureThing=-7 HsDirReplicas=2", lines[4]);
        Assert.Matches("^shared-rand-previous-value [A-Za-z0-9+/]{43}$", lines[5]);
        Assert.Matches("^shared-rand-current-value [A-Za-z0-9+/]{43}$", lines[6]);
        Assert.Matches("^authority [A-Za-z0-9+/]{43} auth[0-2] 127\\.0\\.0\\.[1-3]:7000$", lines[7]);
        Assert.Matches("^relay r0 [A-Za-z0-9+/]{43}$", lines[10]);
        Assert.Equal("a 127.0.0.1:9001", lines[11]);
        Assert.Equal("a [2001:db8::]:443", lines[12]);
        Assert.Matches("^keys [A-Za-z0-9+/]{43} [A-Za-z0-9+/]{43}$", lines[13]);
        Assert.Equal("s Fast Guard HSDir Running Stable Valid", lines[14]);
        Assert.Matches("^w [1-9][0-9]*$", lines[15]);
        Assert.Equal("directory-footer", lines[16]);
        Assert.Matches("^directory-signature [A-Za-z0-9+/]{43} [A-Za-z0-9+/]{86}$", lines[17]);
    }

    [Fact]
    public void One_changed_byte_breaks_every_signature()
    {
        var document = Consensus(3, [0, 1, 2]);
        var text = Text(document);
        var w = text.IndexOf("\nw ", StringComparison.Ordinal) + 3;
        document[w] = (byte)(document[w] == (byte)'9' ? '8' : '9');
        var check = Parse(document).VerifySignatures(Pinned(0, 1, 2));
        Assert.False(check.IsValid);
        Assert.Equal(SignatureError.BadSignature, check.Error);
        Assert.Null(check.Value);
    }

    [Fact]
    public void Signature_by_unknown_key_is_ignored_and_not_counted()
    {
        // Authorities 0 and 1 are pinned and sign; 5 is not pinned: with 3 pinned, 2 valid is a majority.
        var document = Consensus(3, [0, 1, 5]);
        var check = Parse(document).VerifySignatures(Pinned(0, 1, 2));
        Assert.True(check.IsValid);
        Assert.Equal(2, check.ValidSignatures);
        Assert.DoesNotContain(Pinned(5)[0], check.Value.DangerouslyAssumeTimely().Signers);
    }

    [Fact]
    public void Signatures_by_unknown_keys_never_make_up_a_majority()
    {
        var document = Consensus(3, [0, 3, 4, 5, 6]);
        var check = Parse(document).VerifySignatures(Pinned(0, 1, 2));
        Assert.Equal(SignatureError.TooFewSignatures, check.Error);
        Assert.Equal(1, check.ValidSignatures);
        Assert.Equal(2, check.RequiredSignatures);
    }

    [Fact]
    public void Bad_signature_by_an_unknown_key_is_not_even_checked()
    {
        var document = Consensus(3, [0, 1]);
        var stranger = Pinned(9)[0];
        var garbage = Convert.ToBase64String(new byte[64]).TrimEnd('=');
        document = Bytes(Text(document) + $"directory-signature {stranger} {garbage}\n");
        Assert.True(Parse(document).VerifySignatures(Pinned(0, 1, 2)).IsValid);
    }

    [Fact]
    public void Same_authority_signing_twice_is_refused()
    {
        var document = Consensus(3, [0, 1]);
        var line = LineStartingWith(document, "directory-signature ");
        document = Bytes(Text(document) + line + "\n");
        var error = ParseError(document);
        Assert.Equal(DocumentErrorKind.DuplicateEntry, error.Kind);
        Assert.Equal("directory-signature", error.Keyword);
        Assert.Equal(Text(document).Split('\n').Length - 1, error.Line);
    }

    [Theory]
    [InlineData(3, new[] { 0 }, false)]
    [InlineData(3, new[] { 0, 2 }, true)]
    [InlineData(4, new[] { 0, 1 }, false)] // exactly half is not more than half
    [InlineData(4, new[] { 0, 1, 3 }, true)]
    [InlineData(1, new[] { 0 }, true)]
    public void More_than_half_of_the_pinned_authorities_must_sign(int authorities, int[] signers, bool accepted)
    {
        var document = Consensus(authorities, signers);
        var check = Parse(document).VerifySignatures(Pinned([.. Enumerable.Range(0, authorities)]));
        Assert.Equal(accepted, check.IsValid);
        Assert.Equal(accepted ? SignatureError.None : SignatureError.TooFewSignatures, check.Error);
        Assert.Equal((authorities / 2) + 1, check.RequiredSignatures);
        Assert.Equal(signers.Length, check.ValidSignatures);
    }

    [Fact]
    public void Pinned_list_with_repeats_counts_each_authority_once()
    {
        var document = Consensus(3, [0]);
        var check = Parse(document).VerifySignatures(Pinned(0, 0, 0, 1, 2));
        Assert.Equal(SignatureError.TooFewSignatures, check.Error);
    }

    [Fact]
    public void No_pinned_authorities_accept_nothing() =>
        Assert.Equal(SignatureError.TooFewSignatures, Parse(Consensus(3, [0, 1, 2])).VerifySignatures([]).Error);

    [Fact]
    public void Consensus_is_usable_inside_its_window()
    {
        var bound = Verified(Consensus(3, [0, 1, 2]));
        Assert.Equal(Timeliness.Valid, bound.CheckValidAt(ValidAfter, held: null).Status);
        Assert.Equal(Timeliness.Valid, bound.CheckValidAt(ValidAfter.AddHours(3), held: null).Status);
    }

    [Fact]
    public void Consensus_from_the_future_is_refused()
    {
        var check = Verified(Consensus(3, [0, 1, 2])).CheckValidAt(ValidAfter.AddSeconds(-1), held: null);
        Assert.Equal(Timeliness.NotYetValid, check.Status);
        Assert.False(check.IsUsable);
        Assert.Null(check.Value);
    }

    [Fact]
    public void Stale_consensus_within_grace_is_usable_with_a_warning()
    {
        var check = Verified(Consensus(3, [0, 1, 2])).CheckValidAt(ValidAfter.AddHours(3 + 23), held: null);
        Assert.Equal(Timeliness.Stale, check.Status);
        Assert.True(check.IsUsable);
        Assert.True(check.IsStale);
        Assert.NotNull(check.Value);
    }

    [Fact]
    public void Expired_consensus_beyond_grace_is_refused()
    {
        var bound = Verified(Consensus(3, [0, 1, 2]));
        Assert.Equal(Timeliness.Stale, bound.CheckValidAt(ValidAfter.AddHours(3 + 24), held: null).Status);
        var check = bound.CheckValidAt(ValidAfter.AddHours(3 + 24).AddSeconds(1), held: null);
        Assert.Equal(Timeliness.Expired, check.Status);
        Assert.False(check.IsUsable);
        Assert.Equal(Timeliness.Expired, bound.CheckValidAt(ValidAfter.AddHours(4), held: null, grace: TimeSpan.Zero).Status);
        Assert.Equal(Timeliness.Stale, bound.CheckValidAt(new FakeTimeProvider(ValidAfter.AddHours(4)), held: null).Status);
    }

    [Fact]
    public void Older_consensus_than_the_one_held_is_a_rollback()
    {
        var held = Verified(Consensus(3, [0, 1, 2])).CheckValidAt(ValidAfter, held: null).Value!;
        var older = Verified(Consensus(3, [0, 1, 2], validAfter: ValidAfter.AddHours(-1)));
        var check = older.CheckValidAt(ValidAfter.AddMinutes(30), held);
        Assert.Equal(Timeliness.Rollback, check.Status);
        Assert.False(check.IsUsable);
        Assert.True(ConsensusValidity.IsRollback(ValidAfter.AddHours(-1), held));

        var newer = Verified(Consensus(3, [0, 1, 2], validAfter: ValidAfter.AddHours(1)));
        Assert.True(newer.CheckValidAt(ValidAfter.AddHours(1), held).IsUsable);
        Assert.True(Verified(Consensus(3, [0, 1, 2])).CheckValidAt(ValidAfter, held).IsUsable); // the same period again
    }

    [Fact]
    public void Oversized_consensus_is_refused_before_parsing()
    {
        var document = new byte[NetworkStatus.MaxSize + 1];
        Assert.Equal(new DocumentError(DocumentErrorKind.TooLarge, 0, null), ParseError(document));
        Assert.False(NetworkStatusParser.TryParseVote(document, out _, out var error));
        Assert.Equal(DocumentErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void Duplicate_keyword_is_refused() =>
        Assert.Equal(
            new DocumentError(DocumentErrorKind.DuplicateKeyword, 3, "valid-after"),
            ParseError(InsertBefore(Consensus(3, [0, 1]), "fresh-until ", "valid-after 2026-11-28 08:00:00")));

    [Fact]
    public void Duplicate_keyword_in_a_relay_entry_is_refused()
    {
        var document = Consensus(3, [0, 1]);
        var keys = LineStartingWith(document, "keys ");
        var error = ParseError(InsertBefore(document, "w ", keys));
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, error.Kind);
        Assert.Equal("keys", error.Keyword);
    }

    [Fact]
    public void Unknown_keyword_is_refused()
    {
        var document = InsertBefore(Consensus(3, [0, 1]), "shared-rand-previous-value ", "recommended-software hpc-relay/0.1.0");
        Assert.Equal(new DocumentError(DocumentErrorKind.UnknownKeyword, 6, "recommended-software"), ParseError(document));
    }

    [Fact]
    public void Extension_lines_are_signed_and_skipped()
    {
        var keys = Enumerable.Range(0, 3).Select(Authority).ToArray();
        var body = StatusBuilder(keys.Select(AuthorityEntry).ToArray(), Relays(3)).BuildBody(NetworkStatusKind.Consensus);
        body = InsertBefore(body, "shared-rand-previous-value ", "x-bandwidth-file 2026-11-28 07:00:00");
        body = InsertBefore(body, "w ", "x-measured yes");
        body = InsertBefore(body, "directory-footer", "x-note after the relays");
        var document = NetworkStatusBuilder.Assemble(body, keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k)));
        var consensus = Usable(document, Pinned(0, 1, 2), ValidAfter);
        Assert.Equal(3, consensus.Relays.Count);

        // An extension line after the first signature is not signed, so it is not accepted.
        var unsigned = Bytes(Text(document) + "x-note appended\n");
        Assert.Equal(DocumentErrorKind.UnknownKeyword, ParseError(unsigned).Kind);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Theory]
    [InlineData("shared-rand-previous-value ")]
    [InlineData("shared-rand-current-value ")]
    [InlineData("valid-until ")]
    [InlineData("directory-footer")]
    [InlineData("keys ")]
    [InlineData("s ")]
    [InlineData("w ")]
    [InlineData("a ")]
    [InlineData("authority ")]
    [InlineData("directory-signature ")]
    public void Missing_required_keyword_is_refused(string prefix)
    {
        var document = Consensus(3, [0], relayCount: 1);
        var error = ParseError(RemoveLines(document, prefix));
        Assert.Equal(DocumentErrorKind.MissingKeyword, error.Kind);
        Assert.Equal(prefix.TrimEnd(), error.Keyword);
    }

    [Fact]
    public void Params_line_is_optional_and_a_consensus_may_list_no_relays()
    {
        using var key = Authority(0);
        var body = new NetworkStatusBuilder
        {
            ValidAfter = ValidAfter,
            FreshUntil = ValidAfter.AddHours(1),
            ValidUntil = ValidAfter.AddHours(1),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = [AuthorityEntry(key, 0)],
            Relays = [],
        }.BuildBody(NetworkStatusKind.Consensus);
        Assert.DoesNotContain("params", Text(body), StringComparison.Ordinal);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, key)]);
        var consensus = Usable(document, Pinned(0), ValidAfter);
        Assert.Empty(consensus.Relays);
        Assert.Equal(NetworkParameter.CircuitWindow.Default, consensus.Parameters.Get(NetworkParameter.CircuitWindow));
    }

    [Fact]
    public void Relay_entry_without_its_first_line_is_refused()
    {
        var document = Consensus(3, [0], relayCount: 1);
        var error = ParseError(ReplaceLine(document, "relay ", null));
        Assert.Equal(new DocumentError(DocumentErrorKind.MissingKeyword, 11, "relay"), error);
    }

    [Fact]
    public void Unsorted_or_repeated_relays_are_refused()
    {
        var document = Consensus(3, [0], relayCount: 2);
        var lines = Text(document).Split('\n').ToList();
        var first = lines.FindIndex(l => l.StartsWith("relay ", StringComparison.Ordinal));
        var second = lines.FindIndex(first + 1, l => l.StartsWith("relay ", StringComparison.Ordinal));
        var footer = lines.FindIndex(l => l == "directory-footer");
        var swapped = lines.ToList();
        swapped.RemoveRange(first, footer - first);
        swapped.InsertRange(first, lines.GetRange(second, footer - second).Concat(lines.GetRange(first, second - first)));
        Assert.Equal(DocumentErrorKind.NotSorted, ParseError(Bytes(string.Join('\n', swapped))).Kind);

        var repeated = lines.ToList();
        repeated.InsertRange(second, lines.GetRange(first, second - first));
        Assert.Equal(DocumentErrorKind.DuplicateEntry, ParseError(Bytes(string.Join('\n', repeated))).Kind);
    }

    [Theory]
    [InlineData("s Running Fast", DocumentErrorKind.BadFlag)]
    [InlineData("s Fast Fast", DocumentErrorKind.BadFlag)]
    [InlineData("s Exit", DocumentErrorKind.BadFlag)]
    [InlineData("s fast", DocumentErrorKind.BadFlag)]
    [InlineData("w 4294967296", DocumentErrorKind.BadInteger)]
    [InlineData("a 10.0.0.1", DocumentErrorKind.BadAddress)]
    [InlineData("relay bad_nick AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", DocumentErrorKind.BadNickname)]
    [InlineData("keys AAAA AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", DocumentErrorKind.BadBase64)]
    [InlineData("shared-rand-previous-value AAAA", DocumentErrorKind.BadBase64)]
    [InlineData("shared-rand-current-value AAAA", DocumentErrorKind.BadBase64)]
    [InlineData("params b=1 a=2", DocumentErrorKind.NotSorted)]
    [InlineData("params a=1 a=2", DocumentErrorKind.DuplicateEntry)]
    [InlineData("params a=01", DocumentErrorKind.BadParameter)]
    [InlineData("params a=-0", DocumentErrorKind.BadParameter)]
    [InlineData("params a=2147483648", DocumentErrorKind.BadParameter)]
    [InlineData("params 1a=2", DocumentErrorKind.BadParameter)]
    [InlineData("params a-b=2", DocumentErrorKind.BadParameter)]
    [InlineData("fresh-until 2026-11-28 08:00:00", DocumentErrorKind.TimesOutOfOrder)]
    [InlineData("valid-until 2026-11-28 08:59:59", DocumentErrorKind.TimesOutOfOrder)]
    [InlineData("valid-until 2026-11-28 8:59:59", DocumentErrorKind.BadTime)]
    [InlineData("hpc-consensus 2", DocumentErrorKind.UnsupportedVersion)]
    [InlineData("hpc-vote 1", DocumentErrorKind.WrongDocumentType)]
    public void Bad_value_is_refused(string line, DocumentErrorKind kind)
    {
        var keyword = line.StartsWith("hpc-", StringComparison.Ordinal) ? "hpc-consensus" : line[..line.IndexOf(' ', StringComparison.Ordinal)];
        var document = Consensus(3, [0], relayCount: 1);
        var error = ParseError(ReplaceLine(document, keyword + " ", line));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(LineNumberOf(document, keyword + " "), error.Line);
    }

    [Fact]
    public void Out_of_range_known_parameter_is_clamped_when_read()
    {
        var document = Consensus(1, [0]);
        var edited = ReplaceLine(document, "params ", "params CircuitWindow=5 HsDirReplicas=99999");
        Assert.True(NetworkStatusParser.TryParseConsensus(edited, out var unverified, out _));
        var parameters = unverified.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely().Parameters;
        Assert.Equal(NetworkParameter.CircuitWindow.Minimum, parameters.Get(NetworkParameter.CircuitWindow));
        Assert.Equal(NetworkParameter.HsDirReplicas.Maximum, parameters.Get(NetworkParameter.HsDirReplicas));
        Assert.Equal(5, parameters.All[0].Value);
        Assert.Throws<ArgumentException>(() => new NetworkParameters([new("CircuitWindow", 5)]));
    }

    [Fact]
    public void Vote_round_trips_and_verifies_against_its_voter()
    {
        using var voter = Authority(1);
        var builder = StatusBuilder([AuthorityEntry(voter, 1)], Relays(10));
        var document = builder.BuildVote(voter);
        Assert.StartsWith("hpc-vote 1\n", Text(document), StringComparison.Ordinal);

        Assert.True(NetworkStatusParser.TryParseVote(document, out var unverified, out var error), error.ToString());
        Assert.Equal(voter.Id, unverified.ClaimedVoter);
        var check = unverified.VerifySignature(Pinned(0, 1, 2));
        Assert.True(check.IsValid);
        Assert.Equal(ValidAfter.AddHours(-1), check.Value.ValidFrom);
        var vote = check.Value.CheckValidAt(ValidAfter.AddMinutes(-30)).Value!;
        Assert.Equal(NetworkStatusKind.Vote, vote.Kind);
        Assert.Equal(voter.Id, vote.Voter.Id);
        Assert.Equal(10, vote.Relays.Count);
        Assert.Equal(document, vote.Document.ToArray());

        Assert.Equal(SignatureError.UnknownSigner, unverified.VerifySignature(Pinned(0, 2)).Error);
        var changed = ReplaceLine(document, "w ", "w 1");
        Assert.True(NetworkStatusParser.TryParseVote(changed, out var altered, out _));
        Assert.Equal(SignatureError.BadSignature, altered.VerifySignature(Pinned(1)).Error);

        // A vote is not a consensus, and its signature does not verify as one.
        Assert.Equal(DocumentErrorKind.WrongDocumentType, ParseError(document).Kind);
        // (Relabelled, and with its relay lines cut to the consensus's shape: a vote's names a descriptor digest.)
        var relabelled = ReplaceLine(document, "hpc-vote ", "hpc-consensus 1");
        relabelled = Bytes(string.Join('\n', Text(relabelled).Split('\n').Select(l => l.StartsWith("relay ", StringComparison.Ordinal) ? l[..l.LastIndexOf(' ')] : l)));
        Assert.Equal(SignatureError.BadSignature, Parse(relabelled).VerifySignatures(Pinned(1)).Error);
    }

    [Fact]
    public void Vote_signed_by_another_authority_than_listed_is_refused()
    {
        using var voter = Authority(1);
        using var other = Authority(2);
        var body = StatusBuilder([AuthorityEntry(voter, 1)], Relays(2)).BuildBody(NetworkStatusKind.Vote);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Vote, body, other)]);
        Assert.False(NetworkStatusParser.TryParseVote(document, out _, out var error));
        Assert.Equal(DocumentErrorKind.SignerMismatch, error.Kind);

        var signedByVoter = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Vote, body, voter)]);
        var twice = Bytes(Text(signedByVoter) + LineStartingWith(document, "directory-signature ") + "\n");
        Assert.False(NetworkStatusParser.TryParseVote(twice, out _, out error));
        Assert.Equal(DocumentErrorKind.TooManyItems, error.Kind);
    }

    [Fact]
    public void Builder_refuses_invalid_input()
    {
        using var key = Authority(0);
        var authorities = new[] { AuthorityEntry(key, 0) };
        var relays = Relays(2);
        Assert.Throws<ArgumentException>(() => StatusBuilder(authorities, [relays[0], relays[0]]).BuildBody(NetworkStatusKind.Consensus));
        Assert.Throws<ArgumentException>(() => StatusBuilder([authorities[0], authorities[0]], relays).BuildBody(NetworkStatusKind.Consensus));
        Assert.Throws<ArgumentException>(() => StatusBuilder([authorities[0], authorities[0]], relays).BuildVote(key));
        var body = StatusBuilder(authorities, relays).BuildBody(NetworkStatusKind.Consensus);
        var signature = NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, key);
        Assert.Throws<ArgumentException>(() => NetworkStatusBuilder.Assemble(body, [signature, signature]));
        Assert.Throws<ArgumentException>(() => NetworkStatusBuilder.Assemble(body, []));
    }

    private static TimeBound<Consensus> Verified(byte[] document)
    {
        var check = Parse(document).VerifySignatures(Pinned(0, 1, 2));
        Assert.True(check.IsValid, check.ToString());
        return check.Value;
    }

    private static readonly Comparer<byte[]> ByteOrder = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));
}
