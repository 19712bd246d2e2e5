using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// A relay descriptor that parsed but whose signatures are not checked. Only the identity it claims can be read;
/// <see cref="VerifySignature"/> checks the descriptor signature and both key certificates and gives the next state.
/// </summary>
public sealed class UnverifiedRelayDescriptor
{
    // The descriptor-signature prefix followed by the whole document: one buffer, so that the signed message
    // (prefix and every byte up to the signature value) is a slice and the document another.
    private readonly byte[] _buffer;
    private readonly int _signedLength;
    private readonly byte[] _signature;
    private readonly byte[] _linkCertificate;
    private readonly byte[] _circuitHandshakeCertificate;
    private readonly RelayDescriptor _descriptor;

    internal UnverifiedRelayDescriptor(
        byte[] buffer,
        int signedLength,
        byte[] signature,
        byte[] linkCertificate,
        byte[] circuitHandshakeCertificate,
        RelayDescriptor descriptor)
    {
        _buffer = buffer;
        _signedLength = signedLength;
        _signature = signature;
        _linkCertificate = linkCertificate;
        _circuitHandshakeCertificate = circuitHandshakeCertificate;
        _descriptor = descriptor;
    }

    /// <summary>The identity the descriptor claims (not yet proven).</summary>
    public RelayId ClaimedIdentity => _descriptor.Identity;

    /// <summary>The document bytes as received.</summary>
    public ReadOnlyMemory<byte> Document => _descriptor.Document;

    /// <summary>Parses a descriptor; see <see cref="RelayDescriptorParser.TryParse"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> document, [NotNullWhen(true)] out UnverifiedRelayDescriptor? descriptor, out DocumentError error) =>
        RelayDescriptorParser.TryParse(document, out descriptor, out error);

    /// <summary>
    /// Checks the descriptor signature (over the domain prefix and every byte before the signature value) and the
    /// two key certificates, all under the claimed identity.
    /// </summary>
    public SignatureCheck<TimeBound<RelayDescriptor>> VerifySignature()
    {
        var identity = _descriptor.Identity;
        if (!identity.Key.Verify(_buffer.AsSpan(0, _signedLength), _signature))
        {
            return new(SignatureError.BadSignature, null, 0, 1);
        }

        if (!KeyCertificate.Verify(identity, CertifiedKeyRole.Link, _descriptor.LinkKey.Key, _descriptor.LinkKeyExpires, _linkCertificate) ||
            !KeyCertificate.Verify(identity, CertifiedKeyRole.CircuitHandshake, _descriptor.CircuitHandshakeKey.Key, _descriptor.CircuitHandshakeKeyExpires, _circuitHandshakeCertificate))
        {
            return new(SignatureError.BadCertificate, null, 1, 1);
        }

        return new(SignatureError.None, Bound(), 1, 1);
    }

    /// <summary>For tests only: the next state without checking any signature.</summary>
    internal TimeBound<RelayDescriptor> DangerouslyAssumeWellSigned() => Bound();

    // Usable from a little before publication (clock skew) until the earliest of its lifetime and its certificates.
    private TimeBound<RelayDescriptor> Bound()
    {
        var published = _descriptor.Published;
        var until = DateTimeOffset.MaxValue - published > RelayDescriptor.Lifetime ? published + RelayDescriptor.Lifetime : DateTimeOffset.MaxValue;
        if (_descriptor.LinkKeyExpires < until)
        {
            until = _descriptor.LinkKeyExpires;
        }

        if (_descriptor.CircuitHandshakeKeyExpires < until)
        {
            until = _descriptor.CircuitHandshakeKeyExpires;
        }

        return new TimeBound<RelayDescriptor>(_descriptor, published - RelayDescriptor.ClockSkewAllowance, until);
    }
}
