using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Ed25519 certificates and their extensions (FZ-06, arti's <c>cert</c>): parsed; an accepted certificate keeps exactly
/// the bytes it was parsed from, and those parse again to the same certificate.
/// </summary>
internal sealed class Ed25519CertificateHarness : Harness
{
    public override string Name => "ed25519-cert";

    public override string Description => "Ed25519 certificates with extensions (the descriptor's and introduction points' certificates)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (!Ed25519Certificate.TryParse(input, out var certificate, out _))
        {
            return;
        }

        CheckSame(input, certificate.Encoded, "certificate");
        CheckAccepted(Ed25519Certificate.TryParse(certificate.Encoded, out var again, out _), "certificate");
        CheckSame(certificate.Encoded, again.Encoded, "certificate");
        if (certificate.SigningKey is { } signer)
        {
            _ = certificate.VerifySignature(signer);
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        var signer = HsDescriptorFixture.SigningKey;
        yield return Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, HsDescriptorFixture.CertificatesExpire, Ed25519CertifiedKeyType.Ed25519, Samples.Bytes(32, 9), signer).Encoded.ToArray();
        yield return Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointEncryption, HsDescriptorFixture.CertificatesExpire, Ed25519CertifiedKeyType.X25519, Samples.Bytes(32, 3), signer).Encoded.ToArray();
        yield return [1];
    }
}
