using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>A <c>directory-signature</c> line sent on its own, as authorities exchange them.</summary>
public class DirectorySignatureLineTests
{
    [Fact]
    public void A_signature_line_parses_on_its_own_and_verifies_over_the_body()
    {
        using var authority = Authority(1);
        var body = StatusBuilder([AuthorityEntry(authority, 1)], Relays(3)).BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, authority)]);
        var line = Bytes(LineStartingWith(document, "directory-signature ") + "\n");

        Assert.True(DirectorySignature.TryParseLine(line, out var signature));
        Assert.Equal(authority.Id, signature.Authority);
        Assert.True(signature.Verify(DirectorySignature.SignedMessage(NetworkStatusKind.Consensus, body)));
        Assert.False(signature.Verify(DirectorySignature.SignedMessage(NetworkStatusKind.Vote, body)));
        Assert.False(signature.Verify(DirectorySignature.SignedMessage(NetworkStatusKind.Consensus, body.AsSpan(1))));

        var text = Text(line);
        foreach (var bad in (string[])[text.TrimEnd('\n'), text + "\n", text.Replace(" ", "  ", StringComparison.Ordinal), "x" + text, text.Replace("directory-signature", "directory-signatures", StringComparison.Ordinal), text[..^3] + "\n", "directory-signature a b\n"])
        {
            Assert.False(DirectorySignature.TryParseLine(Bytes(bad), out _), bad);
        }
    }
}
