using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// A consensus that parsed but whose signatures are not checked. Nothing in it can be used until
/// <see cref="VerifySignatures"/> accepts it and its validity time is checked.
/// </summary>
public sealed class UnverifiedConsensus
{
    private readonly byte[] _buffer; // signature prefix followed by the whole document
    private readonly int _signedLength;
    private readonly DirectorySignature[] _signatures;
    private readonly NetworkStatusContent _content;

    internal UnverifiedConsensus(byte[] buffer, int signedLength, DirectorySignature[] signatures, NetworkStatusContent content)
    {
        _buffer = buffer;
        _signedLength = signedLength;
        _signatures = signatures;
        _content = content;
    }

    /// <summary>The signature lines as found (claims only: none is checked yet).</summary>
    public IReadOnlyList<DirectorySignature> Signatures => _signatures;

    /// <summary>The document bytes as received.</summary>
    public ReadOnlyMemory<byte> Document => _buffer.AsMemory(SignatureDomains.Consensus.Length);

    /// <summary>Parses a consensus; see <see cref="NetworkStatusParser.TryParseConsensus"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedConsensus? consensus, out DocumentError error) =>
        NetworkStatusParser.TryParseConsensus(document, out consensus, out error);

    /// <summary>
    /// Accepts the consensus when valid signatures from more than half of <paramref name="pinned"/> are present.
    /// Signatures by keys that are not pinned are skipped without being checked and count nowhere. A signature by a
    /// pinned authority that does not verify refuses the whole document (<see cref="SignatureError.BadSignature"/>):
    /// authorities check each other's signatures before publishing, so a bad one means the bytes were altered.
    /// Each authority can be counted once only: the parser refuses a second signature line by the same authority.
    /// </summary>
    /// <param name="pinned">The authorities this program trusts (duplicates are counted once).</param>
    public SignatureCheck<TimeBound<Consensus>> VerifySignatures(IReadOnlyCollection<AuthorityId> pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        var trusted = new HashSet<AuthorityId>(pinned);
        var required = (trusted.Count / 2) + 1;
        var message = _buffer.AsSpan(0, _signedLength);
        var signers = new List<AuthorityId>(_signatures.Length);
        foreach (var signature in _signatures)
        {
            if (!trusted.Contains(signature.Authority))
            {
                continue;
            }

            if (!signature.Authority.Key.Verify(message, signature.Signature))
            {
                return new(SignatureError.BadSignature, null, signers.Count, required);
            }

            signers.Add(signature.Authority);
        }

        return signers.Count >= required
            ? new(SignatureError.None, Bound([.. signers]), signers.Count, required)
            : new(SignatureError.TooFewSignatures, null, signers.Count, required);
    }

    /// <summary>For tests only: the next state without checking any signature.</summary>
    internal TimeBound<Consensus> DangerouslyAssumeWellSigned() => Bound([]);

    private TimeBound<Consensus> Bound(AuthorityId[] signers) =>
        new(new Consensus(_content, Document, signers), _content.ValidAfter, _content.ValidUntil);
}

/// <summary>
/// A vote that parsed but whose signature is not checked. The parser has already required exactly one signature,
/// by the authority the vote lists.
/// </summary>
public sealed class UnverifiedVote
{
    private readonly byte[] _buffer;
    private readonly int _signedLength;
    private readonly DirectorySignature _signature;
    private readonly NetworkStatusContent _content;

    internal UnverifiedVote(byte[] buffer, int signedLength, DirectorySignature signature, NetworkStatusContent content)
    {
        _buffer = buffer;
        _signedLength = signedLength;
        _signature = signature;
        _content = content;
    }

    /// <summary>The authority the vote claims to be from.</summary>
    public AuthorityId ClaimedVoter => _signature.Authority;

    /// <summary>The document bytes as received.</summary>
    public ReadOnlyMemory<byte> Document => _buffer.AsMemory(SignatureDomains.Vote.Length);

    /// <summary>Parses a vote; see <see cref="NetworkStatusParser.TryParseVote"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedVote? vote, out DocumentError error) =>
        NetworkStatusParser.TryParseVote(document, out vote, out error);

    /// <summary>Accepts the vote when its voter is one of <paramref name="pinned"/> and its signature verifies.</summary>
    public SignatureCheck<TimeBound<Vote>> VerifySignature(IReadOnlyCollection<AuthorityId> pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        if (!pinned.Contains(_signature.Authority))
        {
            return new(SignatureError.UnknownSigner, null, 0, 1);
        }

        return _signature.Authority.Key.Verify(_buffer.AsSpan(0, _signedLength), _signature.Signature)
            ? new(SignatureError.None, Bound(), 1, 1)
            : new(SignatureError.BadSignature, null, 0, 1);
    }

    /// <summary>For tests only: the next state without checking the signature.</summary>
    internal TimeBound<Vote> DangerouslyAssumeWellSigned() => Bound();

    // Authorities exchange votes ahead of the period they describe: a vote is timely from one voting interval
    // (fresh-until − valid-after) before its valid-after until its valid-until.
    private TimeBound<Vote> Bound()
    {
        var interval = _content.FreshUntil - _content.ValidAfter;
        var from = _content.ValidAfter - DateTimeOffset.MinValue > interval ? _content.ValidAfter - interval : DateTimeOffset.MinValue;
        return new(new Vote(_content, Document), from, _content.ValidUntil);
    }
}
