using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>A vote's relay line names the descriptor its entry was copied from; a consensus's does not.</summary>
public class VoteDescriptorDigestTests
{
    [Fact]
    public void A_vote_carries_each_entrys_descriptor_digest_and_a_consensus_does_not()
    {
        using var voter = Authority(1);
        var relays = Relays(3);
        var document = StatusBuilder([AuthorityEntry(voter, 1)], relays).BuildVote(voter);
        var relayLine = LineStartingWith(document, "relay ");
        Assert.Equal(4, relayLine.Split(' ').Length);

        Assert.True(NetworkStatusParser.TryParseVote(document, out var unverified, out var error), error.ToString());
        var vote = unverified.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely();
        foreach (var relay in relays)
        {
            Assert.True(vote.TryGetRelay(relay.Id, out var parsed));
            Assert.Equal(relay.DescriptorDigest, parsed.DescriptorDigest);
            Assert.EndsWith(" " + relay.DescriptorDigest, LineStartingWith(document, "relay " + relay.Nickname + " "), StringComparison.Ordinal);
        }

        // The same entries in a consensus: no digest written, none parsed.
        var consensus = Consensus(1, [0], relayCount: 3);
        Assert.Equal(3, LineStartingWith(consensus, "relay ").Split(' ').Length);
        Assert.True(NetworkStatusParser.TryParseConsensus(consensus, out var parsedConsensus, out error), error.ToString());
        Assert.All(parsedConsensus.DangerouslyAssumeWellSigned().DangerouslyAssumeTimely().Relays, r => Assert.Null(r.DescriptorDigest));
    }

    [Fact]
    public void A_vote_relay_line_without_a_digest_and_a_consensus_relay_line_with_one_are_refused()
    {
        using var voter = Authority(1);
        var vote = StatusBuilder([AuthorityEntry(voter, 1)], Relays(1)).BuildVote(voter);
        var line = LineStartingWith(vote, "relay ");
        var withoutDigest = ReplaceLine(vote, "relay ", line[..line.LastIndexOf(' ')]);
        Assert.False(NetworkStatusParser.TryParseVote(withoutDigest, out _, out var error));
        Assert.Equal((DocumentErrorKind.WrongArgumentCount, "relay"), (error.Kind, error.Keyword));

        var badDigest = ReplaceLine(vote, "relay ", line[..(line.LastIndexOf(' ') + 1)] + "not-base64");
        Assert.False(NetworkStatusParser.TryParseVote(badDigest, out _, out error));
        Assert.Equal((DocumentErrorKind.BadBase64, "relay"), (error.Kind, error.Keyword));

        var consensus = Consensus(1, [0], relayCount: 1);
        var withDigest = ReplaceLine(consensus, "relay ", LineStartingWith(consensus, "relay ") + " " + line.Split(' ')[3]);
        Assert.False(NetworkStatusParser.TryParseConsensus(withDigest, out _, out error));
        Assert.Equal((DocumentErrorKind.WrongArgumentCount, "relay"), (error.Kind, error.Keyword));
    }

    [Fact]
    public void The_builder_refuses_a_vote_entry_without_a_digest()
    {
        using var voter = Authority(1);
        var relay = Relays(1)[0];
        var bare = new RelayStatus(relay.Id, relay.Nickname, relay.Addresses, relay.LinkKey, relay.CircuitHandshakeKey, relay.Flags, relay.BandwidthWeight);
        Assert.Throws<ArgumentException>(() => StatusBuilder([AuthorityEntry(voter, 1)], [bare]).BuildVote(voter));
        Assert.Throws<ArgumentException>(() => new RelayStatus(
            relay.Id, relay.Nickname, relay.Addresses, relay.LinkKey, relay.CircuitHandshakeKey, relay.Flags, relay.BandwidthWeight, default(DescriptorDigest)));

        // A consensus entry needs none.
        Assert.NotEmpty(StatusBuilder([AuthorityEntry(voter, 1)], [bare]).BuildBody(NetworkStatusKind.Consensus));
    }

    [Fact]
    public void The_digest_is_SHA3_256_of_the_descriptor_bytes()
    {
        var descriptor = Descriptor();
        var expected = System.Security.Cryptography.SHA3_256.HashData(descriptor);
        Assert.Equal(expected, DescriptorDigest.Of(descriptor).Bytes.ToArray());
        Assert.Equal(DescriptorDigest.FromBytes(expected), DescriptorDigest.Of(descriptor));
        Assert.Equal(Convert.ToBase64String(expected).TrimEnd('='), DescriptorDigest.Of(descriptor).ToString());
        Assert.Throws<ArgumentException>(() => DescriptorDigest.FromBytes(new byte[31]));
    }
}
