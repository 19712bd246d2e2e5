using System.Text;
using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>
/// Hostile-input test: about 100,000 mutated documents (fixed seed), each given to every parser. Every outcome must
/// be a typed error with a sane line number, or a document whose signature check still rejects any change to what
/// was signed. Any exception fails the test.
/// </summary>
[Collection("Heavy document tests")] // run alone, so that the timings are not shared with the mutation run
public class DocumentMutationTests
{
    private const int Iterations = 100_000;

    private static readonly byte[] s_interesting = Encoding.ASCII.GetBytes(" \n-=:.,[]0123456789AZaz+/x");

    [Fact]
    public void Mutated_documents_yield_only_typed_errors_or_still_fail_verification()
    {
        var descriptor = Descriptor();
        var consensus = Consensus(3, [0, 1, 2], relayCount: 6);
        var vote = VoteDocument();
        var originals = new[] { descriptor, consensus, vote };
        var pinned = Pinned(0, 1, 2);
        var random = new Random(20261128);
        var kinds = new HashSet<DocumentErrorKind>();
        var parsedAfterMutation = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var which = i % 3;
            var original = originals[which];
            var mutated = Mutate(original, originals, random);
            var lineCount = mutated.Count(b => b == (byte)'\n') + 1;

            // Every parser sees every mutation: a parser must refuse another type's bytes cleanly too.
            if (RelayDescriptorParser.TryParse(mutated, out var d, out var error))
            {
                parsedAfterMutation++;
                var check = d.VerifySignature();
                if (!mutated.AsSpan().SequenceEqual(descriptor))
                {
                    Assert.False(check.IsValid, "a changed descriptor verified");
                }
            }
            else
            {
                Check(error, lineCount, kinds);
            }

            if (NetworkStatusParser.TryParseConsensus(mutated, out var c, out error))
            {
                parsedAfterMutation++;
                var check = c.VerifySignatures(pinned);
                if (check.IsValid)
                {
                    Assert.True(Body(mutated).SequenceEqual(Body(consensus)), "a consensus with a changed body verified");
                    _ = check.Value.CheckValidAt(ValidAfter, held: null);
                }
            }
            else
            {
                Check(error, lineCount, kinds);
            }

            if (NetworkStatusParser.TryParseVote(mutated, out var v, out error))
            {
                parsedAfterMutation++;
                var check = v.VerifySignature(pinned);
                if (check.IsValid)
                {
                    Assert.True(Body(mutated).SequenceEqual(Body(vote)), "a vote with a changed body verified");
                }
            }
            else
            {
                Check(error, lineCount, kinds);
            }
        }

        // The mutations reach deep into the parsers, not just the first checks.
        Assert.True(kinds.Count >= 18, "error kinds seen: " + string.Join(", ", kinds));
        Assert.True(parsedAfterMutation > 100, $"only {parsedAfterMutation} mutated documents parsed");
    }

    [Fact]
    public void Random_bytes_and_random_lines_yield_only_typed_errors()
    {
        var random = new Random(7);
        var buffer = new byte[600];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            var document = buffer.AsSpan(0, length);
            if (i % 2 == 0)
            {
                random.NextBytes(document);
            }
            else
            {
                // Printable text with LFs, starting with a real first line, so that the line parsers are reached.
                var first = (i / 2 % 3) switch { 0 => "hpc-relay-descriptor 1\n", 1 => "hpc-consensus 1\n", _ => "hpc-vote 1\n" };
                var written = length >= first.Length ? Encoding.ASCII.GetBytes(first, document) : 0;
                for (var j = written; j < length; j++)
                {
                    document[j] = s_interesting[random.Next(s_interesting.Length)];
                }
            }

            // None of these can be a well-formed document; each parser must say why with a defined error kind.
            Assert.False(RelayDescriptorParser.TryParse(document, out _, out var error));
            Assert.True(Enum.IsDefined(error.Kind), error.ToString());
            Assert.False(NetworkStatusParser.TryParseConsensus(document, out _, out error));
            Assert.True(Enum.IsDefined(error.Kind), error.ToString());
            Assert.False(NetworkStatusParser.TryParseVote(document, out _, out error));
            Assert.True(Enum.IsDefined(error.Kind), error.ToString());
        }
    }

    private static void Check(DocumentError error, int lineCount, HashSet<DocumentErrorKind> kinds)
    {
        Assert.True(Enum.IsDefined(error.Kind), error.ToString());
        Assert.InRange(error.Line, 0, lineCount + 1);
        if (error.Keyword is not null)
        {
            Assert.InRange(error.Keyword.Length, 1, 32);
        }

        kinds.Add(error.Kind);
    }

    private static byte[] Body(byte[] document)
    {
        var text = Text(document);
        var end = text.IndexOf("\ndirectory-signature ", StringComparison.Ordinal);
        return Bytes(end < 0 ? text : text[..(end + 1)]);
    }

    private static byte[] VoteDocument()
    {
        using var voter = Authority(1);
        return StatusBuilder([AuthorityEntry(voter, 1)], Relays(4)).BuildVote(voter);
    }

    private static byte[] Mutate(byte[] original, byte[][] all, Random random)
    {
        var document = original.ToList();
        var rounds = random.Next(10) == 0 ? random.Next(2, 4) : 1;
        for (var round = 0; round < rounds && document.Count > 0; round++)
        {
            var at = random.Next(document.Count);
            switch (random.Next(10))
            {
                case 0:
                    document[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    document[at] = (byte)random.Next(256);
                    break;
                case 2:
                    document[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 3:
                    document.RemoveRange(at, Math.Min(random.Next(1, 20), document.Count - at));
                    break;
                case 4:
                    document.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => s_interesting[random.Next(s_interesting.Length)]));
                    break;
                case 5:
                case 6:
                case 7:
                    var lines = Text([.. document]).Split('\n').ToList();
                    var a = random.Next(lines.Count);
                    var b = random.Next(lines.Count);
                    if (random.Next(3) == 0)
                    {
                        lines.Insert(b, lines[a]); // duplicate a line
                    }
                    else if (random.Next(2) == 0)
                    {
                        lines.RemoveAt(a);
                    }
                    else
                    {
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                    }

                    document = [.. Bytes(string.Join('\n', lines))];
                    break;
                case 8:
                    var other = Text(all[random.Next(all.Length)]).Split('\n');
                    var target = Text([.. document]).Split('\n').ToList();
                    target[random.Next(target.Count)] = other[random.Next(other.Length)];
                    document = [.. Bytes(string.Join('\n', target))];
                    break;
                default:
                    document.RemoveRange(at, document.Count - at);
                    break;
            }
        }

        return [.. document];
    }
}
