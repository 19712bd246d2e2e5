using System.Diagnostics.CodeAnalysis;
using System.Text;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Parses relay descriptors strictly (docs/directory-documents.md, "Relay descriptor"): size first, then bytes,
/// then every line in a fixed order, every value in its one canonical spelling. No keyword outside the table is
/// accepted: authorities must understand every field they vote on, so a new field comes with a new format version.
/// Never throws on hostile bytes.
/// </summary>
public static class RelayDescriptorParser
{
    /// <summary>The first line's keyword.</summary>
    public const string DocumentKeyword = "hpc-relay-descriptor";

    /// <summary>The format version this code reads and writes.</summary>
    public const int Version = 1;

    private const int First = 0;
    private const int Nickname = 1;
    private const int Identity = 2;
    private const int Published = 3;
    private const int LinkKey = 4;
    private const int LinkKeyCert = 5;
    private const int CircuitKey = 6;
    private const int CircuitKeyCert = 7;
    private const int Address = 8;
    private const int Bandwidth = 9;
    private const int Software = 10;
    private const int Protocols = 11;
    private const int Family = 12;
    private const int Signature = 13;

    internal static KeywordRules Rules { get; } = new(
    [
        new(DocumentKeyword, Occurrence.Required, 1, 1),
        new("nickname", Occurrence.Required, 1, 1),
        new("identity", Occurrence.Required, 1, 1),
        new("published", Occurrence.Required, 2, 2),
        new("link-key", Occurrence.Required, 1, 1),
        new("link-key-cert", Occurrence.Required, 3, 3),
        new("circuit-handshake-key", Occurrence.Required, 1, 1),
        new("circuit-handshake-key-cert", Occurrence.Required, 3, 3),
        new("address", Occurrence.Repeated, 1, 1, RelayDescriptor.MaxAddresses),
        new("bandwidth", Occurrence.Required, 1, 1),
        new("software", Occurrence.Required, 1, 1),
        new("protocols", Occurrence.Required, 1, ProtocolSupport.MaxEntries),
        new("family", Occurrence.Optional, 1, RelayDescriptor.MaxFamily),
        new("router-signature", Occurrence.Required, 1, 1),
    ]);

    /// <summary>Parses a relay descriptor into its unverified state.</summary>
    /// <param name="document">The whole document.</param>
    /// <param name="descriptor">The unverified descriptor, when parsed.</param>
    /// <param name="error">Why the bytes were refused, otherwise default.</param>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedRelayDescriptor? descriptor, out DocumentError error)
    {
        descriptor = null;
        if (!DocumentReader.TryCreate(document, RelayDescriptor.MaxSize, out var reader, out error))
        {
            return false;
        }

        var cursor = new KeywordCursor(Rules);
        string? nickname = null;
        RelayId identity = default;
        DateTimeOffset published = default, linkExpires = default, circuitExpires = default;
        LinkPublicKey linkKey = default;
        CircuitHandshakePublicKey circuitKey = default;
        byte[]? linkCert = null, circuitCert = null, signature = null;
        var addresses = new List<RelayAddress>(2);
        ulong bandwidth = 0;
        string? software = null;
        ProtocolSupport? protocols = null;
        RelayId[] family = [];
        var signedEnd = 0;
        Span<byte> key = stackalloc byte[Ed25519PublicKey.Length];

        while (!reader.AtEnd)
        {
            if (!reader.TryReadLine(out var line, out error))
            {
                return false;
            }

            var number = reader.LineNumber;
            var index = Rules.IndexOf(line.Keyword);
            if (number == 1)
            {
                if (index != First)
                {
                    return Fail(DocumentErrorKind.WrongDocumentType, number, null, out error);
                }
            }
            else if (index < 0)
            {
                return Fail(DocumentErrorKind.UnknownKeyword, number, line.KeywordString(), out error);
            }

            if (!cursor.TryAdvance(index, line.ArgumentCount, out var kind, out var keyword))
            {
                return Fail(kind, number, keyword, out error);
            }

            keyword = Rules[index].Keyword;
            var args = line.Cursor();
            switch (index)
            {
                case First:
                    if (!args.Next().SequenceEqual("1"u8))
                    {
                        return Fail(DocumentErrorKind.UnsupportedVersion, number, keyword, out error);
                    }

                    break;

                case Nickname:
                    var nick = args.Next();
                    if (!DocumentValues.IsNickname(nick))
                    {
                        return Fail(DocumentErrorKind.BadNickname, number, keyword, out error);
                    }

                    nickname = Encoding.ASCII.GetString(nick);
                    break;

                case Identity:
                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    identity = new RelayId(Ed25519PublicKey.FromBytes(key));
                    break;

                case Published:
                    if (!DocumentValues.TryParseTime(args.Next(), args.Next(), out published))
                    {
                        return Fail(DocumentErrorKind.BadTime, number, keyword, out error);
                    }

                    break;

                case LinkKey:
                case CircuitKey:
                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (index == LinkKey)
                    {
                        linkKey = new LinkPublicKey(X25519PublicKey.FromBytes(key));
                    }
                    else
                    {
                        circuitKey = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(key));
                    }

                    break;

                case LinkKeyCert:
                case CircuitKeyCert:
                    if (!DocumentValues.TryParseTime(args.Next(), args.Next(), out var expires))
                    {
                        return Fail(DocumentErrorKind.BadTime, number, keyword, out error);
                    }

                    if (expires <= published)
                    {
                        return Fail(DocumentErrorKind.TimesOutOfOrder, number, keyword, out error);
                    }

                    var certificate = new byte[Ed25519PublicKey.SignatureLength];
                    if (!DocumentValues.TryDecodeBase64(args.Next(), certificate))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (index == LinkKeyCert)
                    {
                        (linkCert, linkExpires) = (certificate, expires);
                    }
                    else
                    {
                        (circuitCert, circuitExpires) = (certificate, expires);
                    }

                    break;

                case Address:
                    if (!DocumentValues.TryParseAddress(args.Next(), out var address))
                    {
                        return Fail(DocumentErrorKind.BadAddress, number, keyword, out error);
                    }

                    if (addresses.Contains(address))
                    {
                        return Fail(DocumentErrorKind.DuplicateEntry, number, keyword, out error);
                    }

                    addresses.Add(address);
                    break;

                case Bandwidth:
                    if (!DocumentValues.TryParseUInt(args.Next(), uint.MaxValue, out bandwidth))
                    {
                        return Fail(DocumentErrorKind.BadInteger, number, keyword, out error);
                    }

                    break;

                case Software:
                    var text = args.Next();
                    if (!DocumentValues.IsSoftware(text))
                    {
                        return Fail(DocumentErrorKind.BadSoftware, number, keyword, out error);
                    }

                    software = Encoding.ASCII.GetString(text);
                    break;

                case Protocols:
                    if (!ProtocolSupport.TryParse(line, out protocols))
                    {
                        return Fail(DocumentErrorKind.BadProtocols, number, keyword, out error);
                    }

                    break;

                case Family:
                    // The identity line comes earlier in the fixed order, so "not itself" can be checked here.
                    if (!RelayFamily.TryParse(line, identity, out family, out kind))
                    {
                        return Fail(kind, number, keyword, out error);
                    }

                    break;

                case Signature:
                    signature = new byte[Ed25519PublicKey.SignatureLength];
                    if (!DocumentValues.TryDecodeBase64(args.Next(), signature))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    signedEnd = reader.LineStart + Rules[Signature].Utf8.Length + 1; // through "router-signature "
                    break;
            }
        }

        if (!cursor.TryFinish(out var missing, out var missingKeyword))
        {
            return Fail(missing, reader.LineNumber + 1, missingKeyword, out error);
        }

        var prefix = SignatureDomains.RelayDescriptor;
        var buffer = new byte[prefix.Length + document.Length];
        prefix.CopyTo(buffer);
        document.CopyTo(buffer.AsSpan(prefix.Length));
        var value = new RelayDescriptor(
            nickname!, identity, published, linkKey, linkExpires, circuitKey, circuitExpires, [.. addresses],
            (uint)bandwidth, software!, protocols!, family, buffer.AsMemory(prefix.Length));
        descriptor = new UnverifiedRelayDescriptor(buffer, prefix.Length + signedEnd, signature!, linkCert!, circuitCert!, value);
        error = default;
        return true;
    }

    private static bool Fail(DocumentErrorKind kind, int line, string? keyword, out DocumentError error)
    {
        error = new DocumentError(kind, line, keyword);
        return false;
    }
}
