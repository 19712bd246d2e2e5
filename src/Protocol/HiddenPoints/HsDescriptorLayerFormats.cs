using System.Buffers;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// The middle layer's plaintext: the second encrypted layer as <c>encrypted</c> lines, then NUL padding to a multiple
/// of <see cref="HsDescriptorFormat.MiddlePaddingMultiple"/>. HiddenPoint has no client authorization, so Tor's
/// <c>desc-auth-type</c>, <c>desc-auth-ephemeral-key</c> and <c>auth-client</c> lines do not exist.
/// </summary>
internal static class HsDescriptorMiddleLayer
{
    private static readonly KeywordRules s_rules = new(
    [
        new("encrypted", Occurrence.Repeated, 1, 1, HsDescriptorFormat.MaxBlobLines),
    ]);

    public static byte[] Write(ReadOnlySpan<byte> innerBlob)
    {
        var writer = new DocumentWriter(256 + (innerBlob.Length * 4 / 3));
        HsDescriptorFormat.WriteBlob(writer, "encrypted", innerBlob);
        var multiple = HsDescriptorFormat.MiddlePaddingMultiple;
        var padded = new byte[(writer.Length + multiple - 1) / multiple * multiple];
        writer.Written.CopyTo(padded);
        return padded;
    }

    public static bool TryParse(ReadOnlySpan<byte> plaintext, out byte[] innerBlob, out HsDescriptorError error)
    {
        innerBlob = [];

        // The padding is NUL bytes at the end; a NUL anywhere else is refused with the document's byte check.
        var text = plaintext.TrimEnd((byte)0);
        if (!DocumentReader.TryCreate(text, HsDescriptorFormat.MaxSize, out var reader, out var documentError))
        {
            error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Middle);
            return false;
        }

        var cursor = new KeywordCursor(s_rules);
        var blob = new ArrayBufferWriter<byte>(4096);
        var lastShort = false;
        while (!reader.AtEnd)
        {
            if (!reader.TryReadLine(out var line, out documentError))
            {
                error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Middle);
                return false;
            }

            var index = s_rules.IndexOf(line.Keyword);
            if (index < 0)
            {
                return Fail(DocumentErrorKind.UnknownKeyword, reader.LineNumber, line.KeywordString(), out error);
            }

            if (!cursor.TryAdvance(index, line.ArgumentCount, out var kind, out var keyword))
            {
                return Fail(kind, reader.LineNumber, keyword, out error);
            }

            if (!HsDescriptorFormat.TryAppendBlobLine(line.Cursor().Next(), blob, ref lastShort))
            {
                return Fail(DocumentErrorKind.BadBase64, reader.LineNumber, "encrypted", out error);
            }
        }

        if (!cursor.TryFinish(out var missing, out var missingKeyword))
        {
            return Fail(missing, reader.LineNumber + 1, missingKeyword, out error);
        }

        innerBlob = blob.WrittenSpan.ToArray();
        error = default;
        return true;
    }

    private static bool Fail(DocumentErrorKind kind, int line, string? keyword, out HsDescriptorError error)
    {
        error = new(HsDescriptorErrorKind.Syntax, HsDescriptorLayer.Middle, line, keyword, kind);
        return false;
    }
}

/// <summary>
/// The inner layer's plaintext (rend-spec-v3 §2.5.2, HiddenPoint's spelling): <c>create2-formats 3</c>, then one
/// entry per introduction point: <c>introduction-point</c>, <c>onion-key ntor</c>, <c>auth-key</c>,
/// <c>enc-key ntor</c>, <c>enc-key-cert</c>, each exactly once and in that order.
/// </summary>
internal static class HsDescriptorInnerLayer
{
    /// <summary>The circuit handshake a client uses to reach the host's rendezvous circuits: ntor v3 (Tor's type 3).</summary>
    public const string Create2Formats = "3";

    private const int First = 0;
    private const int IntroPoint = 1;
    private const int OnionKey = 2;
    private const int AuthKey = 3;
    private const int EncKey = 4;
    private const int EncKeyCert = 5;

    private static readonly KeywordRules s_rules = new(
        [
            new("create2-formats", Occurrence.Required, 1, 1),
            new("introduction-point", Occurrence.Required, 1, 1),
            new("onion-key", Occurrence.Required, 2, 2),
            new("auth-key", Occurrence.Required, 1, 1),
            new("enc-key", Occurrence.Required, 2, 2),
            new("enc-key-cert", Occurrence.Required, 1, 1),
        ],
        groupStart: IntroPoint,
        groupEnd: EncKeyCert);

    public static byte[] Write(IReadOnlyList<HsIntroductionPoint> points, HsDescriptorSigningKey signingKey, DateTimeOffset certificatesExpire)
    {
        var writer = new DocumentWriter(1024 * (1 + points.Count));
        writer.Keyword("create2-formats").Argument(Create2Formats).EndLine();
        foreach (var point in points)
        {
            var specifiers = new byte[point.LinkSpecifiers.EncodedLength];
            var wire = new WireWriter(specifiers);
            point.LinkSpecifiers.Encode(ref wire);
            var authCert = Ed25519Certificate.Create(
                Ed25519CertificateType.IntroPointAuth, certificatesExpire, Ed25519CertifiedKeyType.Ed25519, point.AuthKey.Key.Bytes, signingKey);
            var encCert = Ed25519Certificate.Create(
                Ed25519CertificateType.IntroPointEncryption, certificatesExpire, Ed25519CertifiedKeyType.X25519, point.EncryptionKey.Key.Bytes, signingKey);
            writer.Keyword("introduction-point").Base64(specifiers).EndLine();
            writer.Keyword("onion-key").Argument("ntor").Base64(point.OnionKey.Key.Bytes).EndLine();
            writer.Keyword("auth-key").Base64(authCert.Encoded).EndLine();
            writer.Keyword("enc-key").Argument("ntor").Base64(point.EncryptionKey.Key.Bytes).EndLine();
            writer.Keyword("enc-key-cert").Base64(encCert.Encoded).EndLine();
        }

        return writer.ToArray();
    }

    /// <summary>
    /// Parses the inner plaintext and checks each introduction point's certificates: signed by
    /// <paramref name="signingKey"/>, not expired at <paramref name="now"/>, certifying the keys listed.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> plaintext, Ed25519PublicKey signingKey, DateTimeOffset now, out List<HsIntroductionPoint> points, out HsDescriptorError error)
    {
        points = [];
        if (!DocumentReader.TryCreate(plaintext, HsDescriptorFormat.MaxSize, out var reader, out var documentError))
        {
            error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Inner);
            return false;
        }

        var cursor = new KeywordCursor(s_rules);
        var identities = new HashSet<RelayId>();
        var authKeys = new HashSet<Ed25519PublicKey>();
        LinkSpecifiers? specifiers = null;
        CircuitHandshakePublicKey onionKey = default;
        HsIntroAuthKey authKey = default;
        HsIntroEncryptionPublicKey encKey = default;
        Span<byte> key = stackalloc byte[32];
        while (!reader.AtEnd)
        {
            if (!reader.TryReadLine(out var line, out documentError))
            {
                error = HsDescriptorError.FromDocument(documentError, HsDescriptorLayer.Inner);
                return false;
            }

            var number = reader.LineNumber;
            var index = s_rules.IndexOf(line.Keyword);
            if (number == 1 && index != First)
            {
                return Fail(DocumentErrorKind.WrongDocumentType, number, null, out error);
            }

            if (index < 0)
            {
                return Fail(DocumentErrorKind.UnknownKeyword, number, line.KeywordString(), out error);
            }

            if (!cursor.TryAdvance(index, line.ArgumentCount, out var kind, out var keyword))
            {
                return Fail(kind, number, keyword, out error);
            }

            keyword = s_rules[index].Keyword;
            var args = line.Cursor();
            switch (index)
            {
                case First:
                    if (!args.Next().SequenceEqual("3"u8))
                    {
                        return Fail(DocumentErrorKind.UnsupportedVersion, number, keyword, out error);
                    }

                    break;

                case IntroPoint:
                    if (points.Count == HsDescriptorFormat.MaxIntroductionPoints)
                    {
                        return Fail(DocumentErrorKind.TooManyItems, number, keyword, out error);
                    }

                    if (!HsDescriptorFormat.TryDecodeBase64(args.Next(), out var specBytes))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    var wire = new WireReader(specBytes);
                    if (!LinkSpecifiers.TryDecode(ref wire, out specifiers, out _) || !wire.TryExpectEnd(out _))
                    {
                        error = new(HsDescriptorErrorKind.BadLinkSpecifiers, HsDescriptorLayer.Inner, number, keyword);
                        return false;
                    }

                    if (!identities.Add(specifiers.Identity))
                    {
                        error = new(HsDescriptorErrorKind.DuplicateIntroductionPoint, HsDescriptorLayer.Inner, number, keyword);
                        return false;
                    }

                    break;

                case OnionKey:
                case EncKey:
                    if (!args.Next().SequenceEqual("ntor"u8))
                    {
                        return Fail(DocumentErrorKind.MalformedLine, number, keyword, out error);
                    }

                    if (!DocumentValues.TryDecodeBase64(args.Next(), key))
                    {
                        return Fail(DocumentErrorKind.BadBase64, number, keyword, out error);
                    }

                    if (index == OnionKey)
                    {
                        onionKey = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(key));
                    }
                    else
                    {
                        encKey = new HsIntroEncryptionPublicKey(X25519PublicKey.FromBytes(key));
                    }

                    break;

                case AuthKey:
                case EncKeyCert:
                    var expectedType = index == AuthKey ? Ed25519CertificateType.IntroPointAuth : Ed25519CertificateType.IntroPointEncryption;
                    var expectedKeyType = index == AuthKey ? Ed25519CertifiedKeyType.Ed25519 : Ed25519CertifiedKeyType.X25519;
                    if (!TryReadCertificate(args.Next(), expectedType, expectedKeyType, signingKey, now, number, keyword, out var certificate, out error))
                    {
                        return false;
                    }

                    if (index == AuthKey)
                    {
                        authKey = new HsIntroAuthKey(Ed25519PublicKey.FromBytes(certificate.CertifiedKey));
                        if (!authKeys.Add(authKey.Key))
                        {
                            error = new(HsDescriptorErrorKind.DuplicateIntroductionPoint, HsDescriptorLayer.Inner, number, keyword);
                            return false;
                        }
                    }
                    else
                    {
                        // The certificate must vouch for the key the entry lists, not merely for some key.
                        if (!certificate.CertifiedKey.SequenceEqual(encKey.Key.Bytes))
                        {
                            error = new(HsDescriptorErrorKind.BadSignature, HsDescriptorLayer.Inner, number, keyword);
                            return false;
                        }

                        points.Add(new HsIntroductionPoint(specifiers!, onionKey, authKey, encKey));
                    }

                    break;
            }
        }

        if (!cursor.TryFinish(out var missing, out var missingKeyword))
        {
            return Fail(missing, reader.LineNumber + 1, missingKeyword, out error);
        }

        error = default;
        return true;
    }

    private static bool TryReadCertificate(
        ReadOnlySpan<byte> text, Ed25519CertificateType type, Ed25519CertifiedKeyType keyType, Ed25519PublicKey signingKey, DateTimeOffset now,
        int line, string keyword, out Ed25519Certificate certificate, out HsDescriptorError error)
    {
        certificate = null!;
        if (!HsDescriptorFormat.TryDecodeBase64(text, out var bytes))
        {
            return Fail(DocumentErrorKind.BadBase64, line, keyword, out error);
        }

        if (!Ed25519Certificate.TryParse(bytes, out var parsed, out var certError))
        {
            error = new(HsDescriptorErrorKind.BadCertificate, HsDescriptorLayer.Inner, line, keyword, Certificate: certError);
            return false;
        }

        if (parsed.Type != type || parsed.CertifiedKeyType != keyType || parsed.SigningKey is null)
        {
            error = new(HsDescriptorErrorKind.WrongCertificateType, HsDescriptorLayer.Inner, line, keyword);
            return false;
        }

        if (parsed.IsExpiredAt(now))
        {
            error = new(HsDescriptorErrorKind.CertificateExpired, HsDescriptorLayer.Inner, line, keyword);
            return false;
        }

        if (!parsed.VerifySignature(signingKey))
        {
            error = new(HsDescriptorErrorKind.BadSignature, HsDescriptorLayer.Inner, line, keyword);
            return false;
        }

        certificate = parsed;
        error = default;
        return true;
    }

    private static bool Fail(DocumentErrorKind kind, int line, string? keyword, out HsDescriptorError error)
    {
        error = new(HsDescriptorErrorKind.Syntax, HsDescriptorLayer.Inner, line, keyword, kind);
        return false;
    }
}
