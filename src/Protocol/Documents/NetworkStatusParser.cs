using System.Diagnostics.CodeAnalysis;
using System.Text;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Parses votes and consensus documents strictly (docs/directory-documents.md, "Votes and consensus"): size first,
/// then bytes, then every line in a fixed order, every value canonical, relays and authorities strictly ascending
/// by identity. Lines whose keyword starts with <c>x-</c> are extensions: allowed anywhere in the signed body after
/// the first line, covered by the signatures, and otherwise skipped. Any other unknown keyword is refused.
/// One pass, linear in the document; never throws on hostile bytes.
/// </summary>
public static class NetworkStatusParser
{
    /// <summary>First-line keyword of a consensus.</summary>
    public const string ConsensusKeyword = "hpc-consensus";

    /// <summary>First-line keyword of a vote.</summary>
    public const string VoteKeyword = "hpc-vote";

    /// <summary>The format version this code reads and writes.</summary>
    public const int Version = 1;

    /// <summary>Keywords that start with this are extensions (see the class remarks).</summary>
    public const string ExtensionPrefix = "x-";

    private const int First = 0;
    private const int ValidAfter = 1;
    private const int FreshUntil = 2;
    private const int ValidUntil = 3;
    private const int Params = 4;
    private const int SharedRandomPrevious = 5;
    private const int SharedRandomCurrent = 6;
    private const int Authority = 7;
    private const int Relay = 8;
    private const int Address = 9;
    private const int Keys = 10;
    private const int Family = 11;
    private const int Status = 12;
    private const int Weight = 13;
    private const int Footer = 14;
    private const int Signature = 15;

    internal static KeywordRules ConsensusRules { get; } = MakeRules(ConsensusKeyword, NetworkStatus.MaxAuthorities, NetworkStatus.MaxSignatures, relayArguments: 2);

    // A vote's relay line also names the descriptor the entry was copied from.
    internal static KeywordRules VoteRules { get; } = MakeRules(VoteKeyword, 1, 1, relayArguments: 3);

    /// <summary>Parses a consensus into its unverified state.</summary>
    public static bool TryParseConsensus(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedConsensus? consensus, out DocumentError error)
    {
        consensus = null;
        if (!TryParse(document, NetworkStatusKind.Consensus, out var buffer, out var signedLength, out var signatures, out var content, out error))
        {
            return false;
        }

        consensus = new UnverifiedConsensus(buffer, signedLength, signatures, content);
        return true;
    }

    /// <summary>Parses a vote into its unverified state.</summary>
    public static bool TryParseVote(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedVote? vote, out DocumentError error)
    {
        vote = null;
        if (!TryParse(document, NetworkStatusKind.Vote, out var buffer, out var signedLength, out var signatures, out var content, out error))
        {
            return false;
        }

        vote = new UnverifiedVote(buffer, signedLength, signatures[0], content);
        return true;
    }

    internal static ReadOnlySpan<byte> Prefix(NetworkStatusKind kind) =>
        kind == NetworkStatusKind.Vote ? SignatureDomains.Vote : SignatureDomains.Consensus;

    private static bool TryParse(
        ReadOnlySpan<byte> document,
        NetworkStatusKind kind,
        out byte[] buffer,
        out int signedLength,
        out DirectorySignature[] signatures,
        out NetworkStatusContent content,
        out DocumentError error)
    {
        buffer = [];
        signedLength = 0;
        signatures = [];
        content = null!;
        if (!DocumentReader.TryCreate(document, NetworkStatus.MaxSize, out var reader, out error))
        {
            return false;
        }

        var rules = kind == NetworkStatusKind.Vote ? VoteRules : ConsensusRules;
        var cursor = new KeywordCursor(rules);
        DateTimeOffset validAfter = default, freshUntil = default, validUntil = default;
        var parameters = NetworkParameters.Empty;
        byte[]? sharedRandomPrevious = null;
        byte[]? sharedRandomCurrent = null;
        var authorities = new List<AuthorityEntry>(8);
        var relays = new List<RelayStatus>(1024);
        var signatureList = new List<DirectorySignature>(8);
        var bodyEnd = -1;
        Span<byte> key = stackalloc byte[Ed25519PublicKey.Length];
        Span<byte> key2 = stackalloc byte[X25519PublicKey.Length];
        Span<byte> previousRelay = stackalloc byte[Ed25519PublicKey.Length];
        Span<byte> previousAuthority = stackalloc byte[Ed25519PublicKey.Length];

        // The relay entry being read; its last line ("w", required) completes it.
        var entryAddresses = new List<RelayAddress>(RelayStatus.MaxAddresses);
        RelayId entryId = default;
        string? entryNickname = null;
        LinkPublicKey entryLink = default;
        CircuitHandshakePublicKey entryCircuit = default;
        var entryFlags = RelayFlags.None;
        DescriptorDigest? entryDigest = null;
        RelayId[] entryFamily = [];
        Span<byte> digest = stackalloc byte[DescriptorDigest.Length];

        while (!reader.AtEnd)
        {
            if (!reader.TryReadLine(out var line, out error))
            {
                return false;
            }

            var number = reader.LineNumber;
            var index = rules.IndexOf(line.Keyword);
            if (number == 1)
            {
                if (index != First)
                {
                    return Fail(DocumentErrorKind.WrongDocumentType, number, null, out error);
                }
            }
            else if (index < 0)
            {
                if (bodyEnd < 0 && line.Keyword.StartsWith("x-"u8))
                {
                    continue;
                }

                return Fail(DocumentErrorKind.UnknownKeyword, number, line.KeywordString(), out error);
            }

            if (!cursor.TryAdvance(index, line.ArgumentCount, out var kindOfError, out var keyword))
            {
                return Fail(kindOfError, number, keyword, out error);
            }

            keyword = rules[index].Keyword;
            var args = line.Cursor();
            switch (index)
            {
                case First:
                    if (!args.Next().SequenceEqual("1"u8))
                    {
                        return Fail(DocumentErrorKind.UnsupportedVersion, number, keyword, out error);
                    }

                    break;

                case ValidAfter:
                case FreshUntil:
                case ValidUntil:
                    if (!DocumentValues.TryParseTime(args.Next(), args.Next(), out var time))
                    {
                        return Fail(DocumentErrorKind.BadTime, number, keyword, out error);
                    }

                    if ((index == FreshUntil && time <= validAfter) || (index == ValidUntil && time < freshUntil))
                    {
                        return Fail(DocumentErrorKind.TimesOutOfOrder, number, keyword, out error);
                    }

                    if (index == ValidAfter)
                    {
                        validAfter = time;
                    }
                    else if (index == FreshUntil)
                    {
                        freshUntil = time;
                    }
                    else
                    {
                        validUntil = time;
                    }

                    break;

                case Params:
                    if (!NetworkParameters.TryParse(line, out var parsed, out var parameterError))
                    {
                        return Fail(parameterError, number, keyword, out error);
                    }

                    parameters = parsed!;
                    break;

                case SharedRandomPrevious:
                case SharedRandomCurrent:
                    var sharedRandom = new byte[NetworkStatus.SharedRandomLength];
                    if (!DocumentValues.TryDecodeBase64(args.Next(), sharedRandom))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (index == SharedRandomPrevious)
                    {
                        sharedRandomPrevious = sharedRandom;
                    }
                    else
                    {
                        sharedRandomCurrent = sharedRandom;
                    }

                    break;

                case Authority:
                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (authorities.Count > 0)
                    {
                        var order = ((ReadOnlySpan<byte>)key).SequenceCompareTo(previousAuthority);
                        if (order <= 0)
                        {
                            return Fail(order == 0 ? DocumentErrorKind.DuplicateEntry : DocumentErrorKind.NotSorted, number, keyword, out error);
                        }
                    }

                    key.CopyTo(previousAuthority);
                    var authorityNickname = args.Next();
                    if (!DocumentValues.IsNickname(authorityNickname))
                    {
                        return Fail(DocumentErrorKind.BadNickname, number, keyword, out error);
                    }

                    if (!DocumentValues.TryParseAddress(args.Next(), out var authorityAddress))
                    {
                        return Fail(DocumentErrorKind.BadAddress, number, keyword, out error);
                    }

                    authorities.Add(AuthorityEntry.Parsed(
                        new AuthorityId(Ed25519PublicKey.FromBytes(key)), Encoding.ASCII.GetString(authorityNickname), authorityAddress));
                    break;

                case Relay:
                    var relayNickname = args.Next();
                    if (!DocumentValues.IsNickname(relayNickname))
                    {
                        return Fail(DocumentErrorKind.BadNickname, number, keyword, out error);
                    }

                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (relays.Count > 0)
                    {
                        var order = ((ReadOnlySpan<byte>)key).SequenceCompareTo(previousRelay);
                        if (order <= 0)
                        {
                            return Fail(order == 0 ? DocumentErrorKind.DuplicateEntry : DocumentErrorKind.NotSorted, number, keyword, out error);
                        }
                    }

                    key.CopyTo(previousRelay);
                    entryDigest = null;
                    if (kind == NetworkStatusKind.Vote)
                    {
                        if (!DocumentValues.TryDecodeBase64(args.Next(), digest))
                        {
                            return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                        }

                        entryDigest = DescriptorDigest.FromBytes(digest);
                    }

                    entryId = new RelayId(Ed25519PublicKey.FromBytes(key));
                    entryNickname = Encoding.ASCII.GetString(relayNickname);
                    entryAddresses.Clear();
                    entryFlags = RelayFlags.None;
                    entryFamily = [];
                    break;

                case Address:
                    if (!DocumentValues.TryParseAddress(args.Next(), out var address))
                    {
                        return Fail(DocumentErrorKind.BadAddress, number, keyword, out error);
                    }

                    if (entryAddresses.Contains(address))
                    {
                        return Fail(DocumentErrorKind.DuplicateEntry, number, keyword, out error);
                    }

                    entryAddresses.Add(address);
                    break;

                case Keys:
                    if (!DocumentValues.TryDecodeBase64(args.Next(), key) || !DocumentValues.TryDecodeBase64(args.Next(), key2))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    entryLink = new LinkPublicKey(X25519PublicKey.FromBytes(key));
                    entryCircuit = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(key2));
                    break;

                case Family:
                    // The entry's relay line comes first, so "not itself" can be checked here.
                    if (!RelayFamily.TryParse(line, entryId, out entryFamily, out var familyError))
                    {
                        return Fail(familyError, number, keyword, out error);
                    }

                    break;

                case Status:
                    var lastBit = -1;
                    for (var i = 0; i < line.ArgumentCount; i++)
                    {
                        var bit = RelayFlagNames.BitOf(args.Next());
                        if (bit <= lastBit)
                        {
                            return Fail(DocumentErrorKind.BadFlag, number, keyword, out error); // unknown, repeated or out of order
                        }

                        entryFlags |= (RelayFlags)(1 << bit);
                        lastBit = bit;
                    }

                    break;

                case Weight:
                    if (!DocumentValues.TryParseUInt(args.Next(), uint.MaxValue, out var weight))
                    {
                        return Fail(DocumentErrorKind.BadInteger, number, keyword, out error);
                    }

                    relays.Add(RelayStatus.Parsed(entryId, entryNickname!, [.. entryAddresses], entryLink, entryCircuit, entryFlags, (uint)weight, entryDigest, entryFamily));
                    break;

                case Footer:
                    break;

                case Signature:
                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    var signatureBytes = new byte[Ed25519PublicKey.SignatureLength];
                    if (!DocumentValues.TryDecodeBase64(args.Next(), signatureBytes))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    var signer = new AuthorityId(Ed25519PublicKey.FromBytes(key));
                    foreach (var earlier in signatureList)
                    {
                        if (earlier.Authority == signer)
                        {
                            return Fail(DocumentErrorKind.DuplicateEntry, number, keyword, out error);
                        }
                    }

                    if (kind == NetworkStatusKind.Vote && authorities[0].Id != signer)
                    {
                        return Fail(DocumentErrorKind.SignerMismatch, number, keyword, out error);
                    }

                    signatureList.Add(new DirectorySignature(signer, signatureBytes));
                    if (signatureList.Count == 1)
                    {
                        bodyEnd = reader.LineStart;
                    }

                    break;
            }
        }

        if (!cursor.TryFinish(out var missing, out var missingKeyword))
        {
            return Fail(missing, reader.LineNumber + 1, missingKeyword, out error);
        }

        var prefix = Prefix(kind);
        buffer = new byte[prefix.Length + document.Length];
        prefix.CopyTo(buffer);
        document.CopyTo(buffer.AsSpan(prefix.Length));
        signedLength = prefix.Length + bodyEnd;
        signatures = [.. signatureList];
        content = new NetworkStatusContent
        {
            ValidAfter = validAfter,
            FreshUntil = freshUntil,
            ValidUntil = validUntil,
            Parameters = parameters,
            SharedRandomPreviousValue = sharedRandomPrevious,
            SharedRandomCurrentValue = sharedRandomCurrent,
            Authorities = [.. authorities],
            Relays = [.. relays],
        };
        error = default;
        return true;
    }

    private static KeywordRules MakeRules(string first, int maxAuthorities, int maxSignatures, int relayArguments) => new(
    [
        new(first, Occurrence.Required, 1, 1),
        new("valid-after", Occurrence.Required, 2, 2),
        new("fresh-until", Occurrence.Required, 2, 2),
        new("valid-until", Occurrence.Required, 2, 2),
        new("params", Occurrence.Optional, 1, NetworkParameters.MaxCount),
        new("shared-rand-previous-value", Occurrence.Required, 1, 1),
        new("shared-rand-current-value", Occurrence.Required, 1, 1),
        new("authority", Occurrence.Repeated, 3, 3, maxAuthorities),
        new("relay", Occurrence.Required, relayArguments, relayArguments),
        new("a", Occurrence.Repeated, 1, 1, RelayStatus.MaxAddresses),
        new("keys", Occurrence.Required, 2, 2),
        new("family", Occurrence.Optional, 1, RelayFamily.MaxMembers),
        new("s", Occurrence.Required, 0, RelayFlagNames.Count),
        new("w", Occurrence.Required, 1, 1),
        new("directory-footer", Occurrence.Required, 0, 0),
        new("directory-signature", Occurrence.Repeated, 2, 2, maxSignatures),
    ],
    groupStart: Relay,
    groupEnd: Weight);

    private static bool Fail(DocumentErrorKind kind, int line, string? keyword, out DocumentError error)
    {
        error = new DocumentError(kind, line, keyword);
        return false;
    }
}
