using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>
/// Families in vote and consensus entries (the descriptor's own family line is tested with the descriptor) and the
/// mutual-declaration rule path selection reads.
/// </summary>
public class RelayFamilyTests
{
    private static readonly Comparer<byte[]> s_byteOrder = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));

    private static RelayStatus WithFamily(RelayStatus relay, params RelayId[] family) => new(
        relay.Id, relay.Nickname, relay.Addresses, relay.LinkKey, relay.CircuitHandshakeKey, relay.Flags,
        relay.BandwidthWeight, relay.DescriptorDigest, family);

    private static RelayId[] Ids(int count, int seed = 9) => [.. Relays(count, seed).Select(r => r.Id)];

    private static RelayId[] Sorted(IEnumerable<RelayId> ids) => [.. ids.OrderBy(id => id.Key.Bytes.ToArray(), s_byteOrder)];

    // Three relays: 0 and 1 declare each other, 2 declares 0 (one-sided), 3 declares nobody.
    private static List<RelayStatus> FamilyRelays()
    {
        var relays = Relays(4);
        relays[0] = WithFamily(relays[0], relays[1].Id, relays[2].Id);
        relays[1] = WithFamily(relays[1], relays[0].Id);
        relays[2] = WithFamily(relays[2], relays[0].Id);
        return relays;
    }

    private static byte[] ConsensusWith(IReadOnlyList<RelayStatus> relays)
    {
        using var key = Authority(0);
        var body = StatusBuilder([AuthorityEntry(key, 0)], relays).BuildBody(NetworkStatusKind.Consensus);
        return NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, key)]);
    }

    // A consensus with a single relay whose entry has a family line, to edit.
    private static (byte[] Document, RelayStatus Relay) OneRelayConsensus()
    {
        var relay = WithFamily(Relays(1)[0], Ids(2));
        return (ConsensusWith([relay]), relay);
    }

    private static Consensus ParseConsensus(byte[] document)
    {
        Assert.True(NetworkStatusParser.TryParseConsensus(document, out var unverified, out var error), error.ToString());
        return unverified.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely();
    }

    private static DocumentError ConsensusError(byte[] document)
    {
        Assert.False(NetworkStatusParser.TryParseConsensus(document, out var consensus, out var error));
        Assert.Null(consensus);
        return error;
    }

    [Fact]
    public void Consensus_carries_each_entrys_family_sorted_and_re_encodes_the_same()
    {
        var relays = FamilyRelays();
        var document = ConsensusWith(relays);
        var consensus = ParseConsensus(document);

        foreach (var expected in relays)
        {
            Assert.True(consensus.TryGetRelay(expected.Id, out var listed));
            Assert.Equal(Sorted(expected.Family), listed.Family);
        }

        Assert.True(consensus.TryGetRelay(relays[3].Id, out var alone));
        Assert.Empty(alone.Family);

        var again = StatusBuilder(consensus.Authorities, consensus.Relays).BuildBody(NetworkStatusKind.Consensus);
        Assert.StartsWith(Text(again), Text(document), StringComparison.Ordinal);
    }

    [Fact]
    public void Family_line_sits_between_keys_and_flags_and_only_when_the_family_is_not_empty()
    {
        var relays = FamilyRelays();
        var lines = Text(ConsensusWith(relays)).Split('\n');
        var familyLines = lines.Where(l => l.StartsWith("family ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, familyLines.Length);
        foreach (var line in familyLines)
        {
            var at = Array.IndexOf(lines, line);
            Assert.StartsWith("keys ", lines[at - 1], StringComparison.Ordinal);
            Assert.StartsWith("s ", lines[at + 1], StringComparison.Ordinal);
        }

        var zero = Array.FindIndex(lines, l => l.StartsWith("relay ", StringComparison.Ordinal) && l.Contains(relays[0].Id.ToString(), StringComparison.Ordinal));
        var written = Sorted([relays[1].Id, relays[2].Id]);
        Assert.Equal($"family {written[0]} {written[1]}", lines.Skip(zero).First(l => l.StartsWith("family ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Vote_carries_the_family_next_to_the_descriptor_digest()
    {
        using var key = Authority(0);
        var relays = FamilyRelays();
        var document = StatusBuilder([AuthorityEntry(key, 0)], relays).BuildVote(key);

        Assert.True(NetworkStatusParser.TryParseVote(document, out var unverified, out var error), error.ToString());
        var vote = unverified.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely();
        foreach (var expected in relays)
        {
            Assert.True(vote.TryGetRelay(expected.Id, out var listed));
            Assert.Equal(expected.DescriptorDigest, listed.DescriptorDigest);
            Assert.Equal(Sorted(expected.Family), listed.Family);
        }
    }

    [Fact]
    public void A_document_without_family_lines_gives_empty_families()
    {
        var consensus = ParseConsensus(Consensus(3, [0, 1], relayCount: 10));
        Assert.Equal(10, consensus.Relays.Count);
        Assert.All(consensus.Relays, r => Assert.Empty(r.Family));
    }

    [Fact]
    public void The_largest_family_fits_and_one_more_member_is_refused()
    {
        var relay = Relays(1)[0];
        var members = Ids(RelayFamily.MaxMembers + 1);
        var document = ConsensusWith([WithFamily(relay, members[..RelayFamily.MaxMembers])]);
        Assert.Equal(RelayFamily.MaxMembers, Assert.Single(ParseConsensus(document).Relays).Family.Count);

        var line = "family " + string.Join(' ', Sorted(members));
        var error = ConsensusError(ReplaceLine(document, "family ", line));
        Assert.Equal(DocumentErrorKind.WrongArgumentCount, error.Kind);
        Assert.Equal("family", error.Keyword);
        Assert.Throws<ArgumentException>(() => WithFamily(relay, members));
    }

    [Fact]
    public void Unsorted_repeated_or_self_naming_family_in_an_entry_is_refused()
    {
        var (document, relay) = OneRelayConsensus();
        var members = Sorted(relay.Family);
        var familyLine = Text(document).Split('\n').First(l => l.StartsWith("family ", StringComparison.Ordinal));
        var at = Array.IndexOf(Text(document).Split('\n'), familyLine) + 1;

        Assert.Equal(
            new DocumentError(DocumentErrorKind.NotSorted, at, "family"),
            ConsensusError(ReplaceLine(document, "family ", $"family {members[1]} {members[0]}")));
        Assert.Equal(
            new DocumentError(DocumentErrorKind.DuplicateEntry, at, "family"),
            ConsensusError(ReplaceLine(document, "family ", $"family {members[0]} {members[0]}")));
        Assert.Equal(
            new DocumentError(DocumentErrorKind.SelfInFamily, at, "family"),
            ConsensusError(ReplaceLine(document, "family ", $"family {relay.Id}")));
    }

    [Theory]
    [InlineData("family AAAA")] // too short
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padding
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")] // non-zero unused bits
    [InlineData("family AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-")] // url-safe alphabet
    [InlineData("family Relay2")] // a nickname is not an id
    public void Malformed_family_member_is_refused(string line)
    {
        var (document, _) = OneRelayConsensus();
        Assert.Equal(DocumentErrorKind.BadBase64, ConsensusError(ReplaceLine(document, "family ", line)).Kind);
    }

    [Fact]
    public void Family_line_out_of_place_or_twice_or_empty_is_refused()
    {
        var (document, _) = OneRelayConsensus();
        var text = Text(document);
        var familyLine = text.Split('\n').First(l => l.StartsWith("family ", StringComparison.Ordinal));
        var weightLine = text.Split('\n').First(l => l.StartsWith("w ", StringComparison.Ordinal));

        var afterWeight = Bytes(text.Replace(familyLine + "\n", "", StringComparison.Ordinal)
            .Replace(weightLine + "\n", weightLine + "\n" + familyLine + "\n", StringComparison.Ordinal));
        Assert.Equal(DocumentErrorKind.KeywordOutOfOrder, ConsensusError(afterWeight).Kind);

        var twice = Bytes(text.Replace(familyLine + "\n", familyLine + "\n" + familyLine + "\n", StringComparison.Ordinal));
        Assert.Equal(DocumentErrorKind.DuplicateKeyword, ConsensusError(twice).Kind);

        Assert.Equal(DocumentErrorKind.WrongArgumentCount, ConsensusError(ReplaceLine(document, "family ", "family")).Kind);
    }

    [Fact]
    public void Each_entry_may_have_its_own_family_line()
    {
        // The family rule applies afresh in every entry: two consecutive entries each with a family line parse.
        var consensus = ParseConsensus(ConsensusWith(FamilyRelays()));
        Assert.Equal(3, consensus.Relays.Count(r => r.Family.Count > 0));
    }

    [Fact]
    public void Entry_constructor_sorts_the_family_and_refuses_repeats_and_the_relay_itself()
    {
        var relay = Relays(1)[0];
        var members = Ids(3);
        var entry = WithFamily(relay, members[2], members[0], members[1]);
        Assert.Equal(Sorted(members), entry.Family);

        Assert.Throws<ArgumentException>(() => WithFamily(relay, members[0], members[0]));
        Assert.Throws<ArgumentException>(() => WithFamily(relay, relay.Id));
        Assert.Empty(new RelayStatus(relay.Id, relay.Nickname, relay.Addresses, relay.LinkKey, relay.CircuitHandshakeKey, relay.Flags, 1).Family);
    }

    [Fact]
    public void Two_relays_are_one_family_only_when_each_declares_the_other()
    {
        var relays = FamilyRelays();

        Assert.True(RelayFamily.AreFamily(relays[0], relays[1]));
        Assert.True(RelayFamily.AreFamily(relays[1], relays[0]));

        // Relay 0 names relay 2 and relay 2 names relay 0: also mutual.
        Assert.True(RelayFamily.AreFamily(relays[0], relays[2]));

        // Relay 2 claims relay 1's operator would have it, relay 1 does not name it: no family either way.
        var claimant = WithFamily(relays[2], relays[0].Id, relays[1].Id);
        Assert.True(RelayFamily.Declares(claimant, relays[1].Id));
        Assert.False(RelayFamily.AreFamily(claimant, relays[1]));
        Assert.False(RelayFamily.AreFamily(relays[1], claimant));

        // Relay 3 declares nobody and nobody declares it.
        Assert.All(relays.Take(3), r => Assert.False(RelayFamily.AreFamily(r, relays[3])));
    }

    [Fact]
    public void A_relay_is_in_its_own_family()
    {
        var relays = FamilyRelays();
        Assert.True(RelayFamily.AreFamily(relays[3], relays[3]));
        Assert.True(RelayFamily.AreFamily(relays[0], relays[0]));
    }

    [Fact]
    public void Family_found_in_a_large_declaration()
    {
        var relay = Relays(1)[0];
        var members = Ids(RelayFamily.MaxMembers);
        var entry = WithFamily(relay, members);
        Assert.All(members, m => Assert.True(RelayFamily.Declares(entry, m)));
        Assert.False(RelayFamily.Declares(entry, relay.Id));
        Assert.False(RelayFamily.Declares(entry, Ids(1, seed: 77)[0]));
    }
}
