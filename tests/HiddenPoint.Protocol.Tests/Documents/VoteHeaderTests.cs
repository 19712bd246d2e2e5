using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>The period and claimed voter of a vote, read from its first lines before the rest is received.</summary>
public class VoteHeaderTests
{
    [Fact]
    public void The_period_and_voter_are_read_from_the_first_lines_alone()
    {
        using var voter = Authority(1);
        var vote = StatusBuilder([AuthorityEntry(voter, 1)], Relays(50)).BuildVote(voter);
        var end = Text(vote).IndexOf("\nrelay ", StringComparison.Ordinal) + 1;

        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(vote, out var header));
        Assert.Equal(new VoteHeader(ValidAfter, voter.Id), header);
        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(vote.AsSpan(0, end), out var fromHead));
        Assert.Equal(header, fromHead);

        // Every shorter prefix needs more bytes: the authority line is not complete yet.
        for (var length = 0; length < Text(vote).IndexOf("\nrelay ", StringComparison.Ordinal); length++)
        {
            Assert.Equal(VoteHeaderStatus.NeedMoreBytes, VoteHeader.TryRead(vote.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void Anything_but_the_start_of_a_vote_is_malformed()
    {
        using var voter = Authority(1);
        var vote = StatusBuilder([AuthorityEntry(voter, 1)], Relays(2)).BuildVote(voter);
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(Consensus(1, [0]), out _));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead("hpc-vote 2\n"u8, out _));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(RemoveLines(vote, "authority "), out _));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(ReplaceLine(vote, "valid-after ", "valid-after 2026-13-01 00:00:00"), out _));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(ReplaceLine(vote, "authority ", "authority nope auth1 127.0.0.2:7000"), out _));

        // The authority line must end within 16 KiB: x- lines before it cannot push it out of sight.
        var padded = InsertBefore(vote, "authority ", "x-padding " + new string('p', 8000));
        padded = InsertBefore(padded, "authority ", "x-padding " + new string('p', 7900));
        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(padded, out _));
        padded = InsertBefore(padded, "authority ", "x-padding " + new string('p', 500));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(padded, out _));
        Assert.Equal(VoteHeaderStatus.Malformed, VoteHeader.TryRead(new byte[VoteHeader.MaxLength], out _));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(5);
        var buffer = new byte[VoteHeader.MaxLength + 100];
        for (var i = 0; i < 2_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            "hpc-vote 1\n"u8.CopyTo(buffer);
            Assert.True(Enum.IsDefined(VoteHeader.TryRead(buffer.AsSpan(0, length), out _)));
        }
    }
}
