using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// Parses the outer layer of a hidden-point descriptor strictly (docs/hidden-point-descriptor.md §3): size first,
/// then bytes, then every line in a fixed order, every value in its one spelling. No keyword outside the table is
/// accepted, because HSDirs and clients must understand every field they act on. Never throws on hostile bytes.
/// </summary>
public static class HsDescriptorParser
{
    private const int First = 0;
    private const int Lifetime = 1;
    private const int Certificate = 2;
    private const int Revision = 3;
    private const int Superencrypted = 4;
    private const int Signature = 5;

    internal static KeywordRules Rules { get; } = new(
    [
        new(HsDescriptorFormat.DocumentKeyword, Occurrence.Required, 1, 1),
        new("descriptor-lifetime", Occurrence.Required, 1, 1),
        new("descriptor-signing-key-cert", Occurrence.Required, 1, 1),
        new("revision-counter", Occurrence.Required, 1, 1),
        new("superencrypted", Occurrence.Repeated, 1, 1, HsDescriptorFormat.MaxBlobLines),
        new("signature", Occurrence.Required, 1, 1),
    ]);

    /// <summary>Parses an outer descriptor into its unverified state.</summary>
    /// <param name="document">The whole descriptor as uploaded or fetched.</param>
    /// <param name="descriptor">The unverified descriptor, when parsed.</param>
    /// <param name="error">Why the bytes were refused, otherwise default.</param>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedHsDescriptor? descriptor, out HsDescriptorError error)
    {
        descriptor = null;
        if (!DocumentReader.TryCreate(document, HsDescriptorFormat.MaxSize, out var reader, out var documentError))
        {
            error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Outer);
            return false;
        }

        var cursor = new KeywordCursor(Rules);
        var lifetime = 0;
        Ed25519Certificate? certificate = null;
        ulong revision = 0;
        var blob = new ArrayBufferWriter<byte>(4096);
        var lastBlobLineShort = false;
        byte[]? signature = null;
        var signedEnd = 0;

        while (!reader.AtEnd)
        {
            if (!reader.TryReadLine(out var line, out documentError))
            {
                error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Outer);
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

                case Lifetime:
                    if (!DocumentValues.TryParseUInt(args.Next(), uint.MaxValue, out var minutes))
                    {
                        return Fail(DocumentErrorKind.BadInteger, number, keyword, out error);
                    }

                    if (minutes is < HsDescriptorFormat.MinLifetimeMinutes or > HsDescriptorFormat.MaxLifetimeMinutes)
                    {
                        error = new(HsDescriptorErrorKind.BadLifetime, HsDescriptorLayer.Outer, number, keyword);
                        return false;
                    }

                    lifetime = (int)minutes;
                    break;

                case Certificate:
                    if (!HsDescriptorFormat.TryDecodeBase64(args.Next(), out var certBytes))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (!Ed25519Certificate.TryParse(certBytes, out certificate, out var certError))
                    {
                        error = new(HsDescriptorErrorKind.BadCertificate, HsDescriptorLayer.Outer, number, keyword, Certificate: certError);
                        return false;
                    }

                    if (certificate.Type != Ed25519CertificateType.DescriptorSigning ||
                        certificate.CertifiedKeyType != Ed25519CertifiedKeyType.Ed25519 || certificate.SigningKey is null)
                    {
                        error = new(HsDescriptorErrorKind.WrongCertificateType, HsDescriptorLayer.Outer, number, keyword);
                        return false;
                    }

                    break;

                case Revision:
                    if (!DocumentValues.TryParseUInt(args.Next(), ulong.MaxValue, out revision))
                    {
                        return Fail(DocumentErrorKind.BadInteger, number, keyword, out error);
                    }

                    break;

                case Superencrypted:
                    if (!HsDescriptorFormat.TryAppendBlobLine(args.Next(), blob, ref lastBlobLineShort))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    break;

                case Signature:
                    signature = new byte[Ed25519PublicKey.SignatureLength];
                    if (!DocumentValues.TryDecodeBase64(args.Next(), signature))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    signedEnd = reader.LineStart + Rules[Signature].Utf8.Length + 1; // through "signature "
                    break;
            }
        }

        if (!cursor.TryFinish(out var missing, out var missingKeyword))
        {
            return Fail(missing, reader.LineNumber + 1, missingKeyword, out error);
        }

        var prefix = HsDescriptorFormat.SignaturePrefix;
        var buffer = new byte[prefix.Length + document.Length];
        prefix.CopyTo(buffer);
        document.CopyTo(buffer.AsSpan(prefix.Length));
        descriptor = new UnverifiedHsDescriptor(buffer, prefix.Length, prefix.Length + signedEnd, signature!, certificate!, lifetime, revision, blob.WrittenSpan.ToArray());
        error = default;
        return true;
    }

    private static bool Fail(DocumentErrorKind kind, int line, string? keyword, out HsDescriptorError error)
    {
        error = new HsDescriptorError(HsDescriptorErrorKind.Syntax, HsDescriptorLayer.Outer, line, keyword, kind);
        return false;
    }
}
