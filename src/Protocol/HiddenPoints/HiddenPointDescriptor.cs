using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>What a host publishes in one descriptor.</summary>
public sealed class HsDescriptorContent
{
    /// <summary>Raised with every new descriptor for the same period; HSDirs keep only the highest.</summary>
    public required ulong RevisionCounter { get; init; }

    /// <summary>How long HSDirs keep the descriptor, minutes, 30–720 (default 180, Tor's).</summary>
    public int LifetimeMinutes { get; init; } = 180;

    /// <summary>
    /// When the descriptor-signing-key certificate and the introduction points' certificates expire (rounded up to
    /// the hour). Tor uses 54 hours from creation: the period plus the overlap in which the previous one is fetched.
    /// </summary>
    public required DateTimeOffset CertificatesExpire { get; init; }

    /// <summary>The introduction points, at most <see cref="HsDescriptorFormat.MaxIntroductionPoints"/>, no relay or auth key twice.</summary>
    public required IReadOnlyList<HsIntroductionPoint> IntroductionPoints { get; init; }
}

/// <summary>
/// A whole hidden-point descriptor: the host builds it from its identity for a time period, a client that knows
/// the hidden-id opens it. Outer layer: <see cref="HsDescriptorParser"/>; encryption: <see cref="HsDescriptorEncryption"/>.
/// </summary>
public static class HiddenPointDescriptor
{
    /// <summary>Builds, encrypts and signs a descriptor for <paramref name="period"/>.</summary>
    /// <param name="identity">KS_hs_id, blinded here for the period.</param>
    /// <param name="period">The time period (from the consensus' valid-after, never the local clock).</param>
    /// <param name="signingKey">KS_hs_desc_sign.</param>
    /// <param name="content">What to publish.</param>
    /// <param name="labels">Key-blinding labels; HiddenPoint's by default.</param>
    /// <returns>The document to upload.</returns>
    public static byte[] Build(
        HiddenPointIdentitySecretKey identity, TimePeriod period, HsDescriptorSigningKey signingKey, HsDescriptorContent content,
        KeyBlindingLabels? labels = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        labels ??= KeyBlindingLabels.Hpc;
        using var blinded = KeyBlinding.BlindSigningKey(identity, period, labels);
        var subcredential = KeyBlinding.ComputeSubcredential(identity.PublicKey, blinded.PublicKey, labels);
        return Build(blinded, subcredential, signingKey, content);
    }

    /// <summary>As <see cref="Build(HiddenPointIdentitySecretKey, TimePeriod, HsDescriptorSigningKey, HsDescriptorContent, KeyBlindingLabels?)"/>, with the period's keys already derived.</summary>
    public static byte[] Build(BlindedSigningKey blindedKey, Subcredential subcredential, HsDescriptorSigningKey signingKey, HsDescriptorContent content)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        ArgumentNullException.ThrowIfNull(subcredential);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(content);
        ValidateIntroductionPoints(content.IntroductionPoints);

        var inner = HsDescriptorInnerLayer.Write(content.IntroductionPoints, signingKey, content.CertificatesExpire);
        var innerBlob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Inner, blindedKey.PublicKey, subcredential, content.RevisionCounter, inner);
        var middle = HsDescriptorMiddleLayer.Write(innerBlob);
        var middleBlob = HsDescriptorEncryption.Encrypt(HsDescriptorLayer.Middle, blindedKey.PublicKey, subcredential, content.RevisionCounter, middle);
        var certificate = Ed25519Certificate.Create(
            Ed25519CertificateType.DescriptorSigning, content.CertificatesExpire, Ed25519CertifiedKeyType.Ed25519, signingKey.PublicKey.Bytes, blindedKey);
        return new HsDescriptorBuilder
        {
            LifetimeMinutes = content.LifetimeMinutes,
            RevisionCounter = content.RevisionCounter,
            SigningKeyCertificate = certificate,
            Superencrypted = middleBlob,
        }.Sign(signingKey);
    }

    /// <summary>
    /// Decrypts both layers of a verified descriptor and checks the introduction points' certificates (signed by its
    /// descriptor-signing key, not expired at <paramref name="now"/>).
    /// </summary>
    /// <param name="descriptor">The verified outer layer.</param>
    /// <param name="subcredential">N_hs_subcred for the descriptor's blinded key.</param>
    /// <param name="now">The client's time, for certificate expiry.</param>
    /// <param name="introductionPoints">The introduction points, when decrypted.</param>
    /// <param name="error">Why not, otherwise default.</param>
    public static bool TryDecrypt(
        HsDescriptor descriptor, Subcredential subcredential, DateTimeOffset now,
        [NotNullWhen(true)] out IReadOnlyList<HsIntroductionPoint>? introductionPoints, out HsDescriptorError error)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(subcredential);
        introductionPoints = null;
        if (!HsDescriptorEncryption.TryDecrypt(
                HsDescriptorLayer.Middle, descriptor.BlindedKey, subcredential, descriptor.RevisionCounter, descriptor.Superencrypted, out var middle, out error) ||
            !HsDescriptorMiddleLayer.TryParse(middle, out var innerBlob, out error) ||
            !HsDescriptorEncryption.TryDecrypt(
                HsDescriptorLayer.Inner, descriptor.BlindedKey, subcredential, descriptor.RevisionCounter, innerBlob, out var inner, out error) ||
            !HsDescriptorInnerLayer.TryParse(inner, descriptor.SigningKey, now, out var points, out error))
        {
            return false;
        }

        introductionPoints = points;
        return true;
    }

    /// <summary>
    /// What a client does with a fetched descriptor: parse, verify against the blinded key of
    /// <paramref name="identity"/> for <paramref name="period"/>, and decrypt both layers.
    /// </summary>
    public static bool TryOpen(
        ReadOnlySpan<byte> document, HiddenPointIdentityPublicKey identity, TimePeriod period, DateTimeOffset now,
        [NotNullWhen(true)] out HsDescriptor? descriptor, [NotNullWhen(true)] out IReadOnlyList<HsIntroductionPoint>? introductionPoints,
        out HsDescriptorError error, KeyBlindingLabels? labels = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        labels ??= KeyBlindingLabels.Hpc;
        descriptor = null;
        introductionPoints = null;
        var blindedKey = KeyBlinding.BlindPublicKey(identity, period, labels);
        if (!HsDescriptorParser.TryParse(document, out var unverified, out error) ||
            !unverified.TryVerify(blindedKey, now, out var verified, out error) ||
            !TryDecrypt(verified, KeyBlinding.ComputeSubcredential(identity, blindedKey, labels), now, out introductionPoints, out error))
        {
            return false;
        }

        descriptor = verified;
        return true;
    }

    private static void ValidateIntroductionPoints(IReadOnlyList<HsIntroductionPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count > HsDescriptorFormat.MaxIntroductionPoints)
        {
            throw new ArgumentException($"IntroductionPoints: at most {HsDescriptorFormat.MaxIntroductionPoints}.");
        }

        var relays = new HashSet<RelayId>();
        var authKeys = new HashSet<Ed25519PublicKey>();
        foreach (var point in points)
        {
            ArgumentNullException.ThrowIfNull(point);
            if (!relays.Add(point.LinkSpecifiers.Identity) || !authKeys.Add(point.AuthKey.Key))
            {
                throw new ArgumentException("IntroductionPoints: no relay and no auth key may appear twice.");
            }
        }
    }
}
