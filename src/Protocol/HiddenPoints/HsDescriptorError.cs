using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>Which part of a hidden-point descriptor an error was found in.</summary>
public enum HsDescriptorLayer
{
    /// <summary>The signed plaintext document an HSDir stores.</summary>
    Outer = 1,

    /// <summary>The first encrypted layer (<c>superencrypted</c>) and the document inside it.</summary>
    Middle,

    /// <summary>The second encrypted layer (<c>encrypted</c>) and the introduction points inside it.</summary>
    Inner,
}

/// <summary>Why a hidden-point descriptor was refused. See docs/hidden-point-descriptor.md for each rule.</summary>
public enum HsDescriptorErrorKind
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>The text breaks a document rule; <see cref="HsDescriptorError.Syntax"/> says which.</summary>
    Syntax,

    /// <summary>A certificate's bytes are malformed; <see cref="HsDescriptorError.Certificate"/> says how.</summary>
    BadCertificate,

    /// <summary>A certificate of the wrong type, certifying the wrong kind of key, or not naming its signer.</summary>
    WrongCertificateType,

    /// <summary><c>descriptor-lifetime</c> is outside 30–720 minutes.</summary>
    BadLifetime,

    /// <summary>An encrypted blob is shorter than its salt and MAC.</summary>
    Truncated,

    /// <summary>An encrypted blob's MAC does not match: altered, or keyed for another hidden point, period or revision.</summary>
    BadMac,

    /// <summary>The descriptor-signing certificate is not signed by (or does not name) the expected blinded key.</summary>
    WrongBlindedKey,

    /// <summary>A certificate or the descriptor signature does not verify.</summary>
    BadSignature,

    /// <summary>A certificate has expired at the time given.</summary>
    CertificateExpired,

    /// <summary>An introduction point's link specifiers do not decode.</summary>
    BadLinkSpecifiers,

    /// <summary>Two introduction points name the same relay or the same authentication key.</summary>
    DuplicateIntroductionPoint,

    /// <summary>
    /// Valid, but its revision counter is lower than one the reader already accepted for the same blinded key (a
    /// client refuses an older descriptor an HSDir serves; see docs/client.md).
    /// </summary>
    RevisionRollback,
}

/// <summary>A refused descriptor: what was wrong, in which layer, and where.</summary>
/// <param name="Kind">What was wrong.</param>
/// <param name="Layer">The layer in which it was found.</param>
/// <param name="Line">1-based line within that layer's document, or 0 when not tied to a line.</param>
/// <param name="Keyword">The keyword concerned, when known.</param>
/// <param name="Syntax">For <see cref="HsDescriptorErrorKind.Syntax"/>: the document rule broken.</param>
/// <param name="Certificate">For <see cref="HsDescriptorErrorKind.BadCertificate"/>: how the certificate is malformed.</param>
public readonly record struct HsDescriptorError(
    HsDescriptorErrorKind Kind,
    HsDescriptorLayer Layer,
    int Line = 0,
    string? Keyword = null,
    DocumentErrorKind Syntax = default,
    Ed25519CertificateError Certificate = Ed25519CertificateError.None)
{
    internal static HsDescriptorError FromDocument(DocumentError error, HsDescriptorLayer layer) =>
        new(HsDescriptorErrorKind.Syntax, layer, error.Line, error.Keyword, error.Kind);

    /// <inheritdoc/>
    public override string ToString()
    {
        var what = Kind switch
        {
            HsDescriptorErrorKind.Syntax => $"{Kind} {Syntax}",
            HsDescriptorErrorKind.BadCertificate => $"{Kind} {Certificate}",
            _ => Kind.ToString(),
        };
        var where = Line == 0 ? $"{Layer} layer" : $"{Layer} layer line {Line}";
        return Keyword is null ? $"{what} in the {where}" : $"{what} in the {where} ({Keyword})";
    }
}
