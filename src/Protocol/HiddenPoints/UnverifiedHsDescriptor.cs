using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// A hidden-point descriptor whose outer layer parsed but whose certificate and signature are not checked. It shows
/// only what deciding whether to check it needs; <see cref="TryVerify"/> gives the usable <see cref="HsDescriptor"/>.
/// </summary>
public sealed class UnverifiedHsDescriptor
{
    // The signature prefix followed by the whole document, so that the signed message is one slice.
    private readonly byte[] _buffer;
    private readonly int _documentStart;
    private readonly int _signedLength;
    private readonly byte[] _signature;
    private readonly Ed25519Certificate _certificate;
    private readonly byte[] _superencrypted;

    internal UnverifiedHsDescriptor(
        byte[] buffer, int documentStart, int signedLength, byte[] signature, Ed25519Certificate certificate, int lifetimeMinutes,
        ulong revisionCounter, byte[] superencrypted)
    {
        _buffer = buffer;
        _documentStart = documentStart;
        _signedLength = signedLength;
        _signature = signature;
        _certificate = certificate;
        LifetimeMinutes = lifetimeMinutes;
        RevisionCounter = revisionCounter;
        _superencrypted = superencrypted;
    }

    /// <summary>The lifetime it claims, in minutes (30–720; not yet proven).</summary>
    public int LifetimeMinutes { get; }

    /// <summary>The revision counter it claims (not yet proven).</summary>
    public ulong RevisionCounter { get; }

    /// <summary>The document bytes as received.</summary>
    public ReadOnlyMemory<byte> Document => _buffer.AsMemory(_documentStart);

    /// <summary>Parses a descriptor; see <see cref="HsDescriptorParser.TryParse"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedHsDescriptor? descriptor, out HsDescriptorError error) =>
        HsDescriptorParser.TryParse(document, out descriptor, out error);

    /// <summary>
    /// Checks the descriptor against the blinded key it was stored or fetched under, at <paramref name="now"/>: the
    /// signing-key certificate names and is signed by <paramref name="blindedKey"/>
    /// (<see cref="HsDescriptorErrorKind.WrongBlindedKey"/>, <see cref="HsDescriptorErrorKind.BadSignature"/>), has not
    /// expired (<see cref="HsDescriptorErrorKind.CertificateExpired"/>), and the certified key signed the document
    /// (<see cref="HsDescriptorErrorKind.BadSignature"/>).
    /// </summary>
    public bool TryVerify(BlindedPublicKey blindedKey, DateTimeOffset now, [NotNullWhen(true)] out HsDescriptor? descriptor, out HsDescriptorError error)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        descriptor = null;
        if (_certificate.SigningKey != blindedKey.Key)
        {
            error = new(HsDescriptorErrorKind.WrongBlindedKey, HsDescriptorLayer.Outer, 3, "descriptor-signing-key-cert");
            return false;
        }

        if (_certificate.IsExpiredAt(now))
        {
            error = new(HsDescriptorErrorKind.CertificateExpired, HsDescriptorLayer.Outer, 3, "descriptor-signing-key-cert");
            return false;
        }

        if (!_certificate.VerifySignature(blindedKey.Key))
        {
            error = new(HsDescriptorErrorKind.BadSignature, HsDescriptorLayer.Outer, 3, "descriptor-signing-key-cert");
            return false;
        }

        var signingKey = Ed25519PublicKey.FromBytes(_certificate.CertifiedKey);
        if (!signingKey.Verify(_buffer.AsSpan(0, _signedLength), _signature))
        {
            error = new(HsDescriptorErrorKind.BadSignature, HsDescriptorLayer.Outer, 0, "signature");
            return false;
        }

        descriptor = new HsDescriptor(blindedKey, signingKey, _certificate.Expires, LifetimeMinutes, RevisionCounter, _superencrypted, Document);
        error = default;
        return true;
    }

    /// <summary>For tests only: the verified state without checking the certificate, its expiry or the signature.</summary>
    internal HsDescriptor DangerouslyAssumeWellSigned(BlindedPublicKey blindedKey) =>
        new(blindedKey, Ed25519PublicKey.FromBytes(_certificate.CertifiedKey), _certificate.Expires, LifetimeMinutes, RevisionCounter, _superencrypted, Document);
}
