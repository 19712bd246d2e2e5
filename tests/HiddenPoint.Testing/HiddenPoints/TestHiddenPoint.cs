using System.Text;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Testing;

/// <summary>
/// A hidden point's keys for the time period of now, and descriptors it signs: what tests of HSDirs upload, genuine or
/// forged.
/// </summary>
public sealed class TestHiddenPoint : IDisposable
{
    private readonly HiddenPointIdentitySecretKey _identity = HiddenPointIdentitySecretKey.Generate();
    private readonly HsDescriptorSigningKey _signing = HsDescriptorSigningKey.Generate();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    /// <summary>Fresh keys, for the default time period of now.</summary>
    public TestHiddenPoint()
    {
        Period = TimePeriod.FromInstant(_now);
        BlindedKey = KeyBlinding.BlindPublicKey(_identity.PublicKey, Period, KeyBlindingLabels.Hpc).Bytes.ToArray();
    }

    /// <summary>The time period its descriptors are for.</summary>
    public TimePeriod Period { get; }

    /// <summary>Its blinded key for <see cref="Period"/>: the key its descriptors are stored under.</summary>
    public byte[] BlindedKey { get; }

    /// <summary>A descriptor with <paramref name="revision"/>, no introduction points, certificates valid 54 hours.</summary>
    public byte[] Descriptor(ulong revision) => HiddenPointDescriptor.Build(_identity, Period, _signing, new HsDescriptorContent
    {
        RevisionCounter = revision,
        CertificatesExpire = _now.AddHours(54),
        IntroductionPoints = [],
    });

    /// <summary>
    /// <paramref name="descriptor"/> with one base64 letter of its signed body changed for another: still well formed,
    /// no longer what was signed.
    /// </summary>
    public static byte[] Forge(byte[] descriptor)
    {
        var text = Encoding.ASCII.GetString(descriptor);
        var at = text.IndexOf("superencrypted ", StringComparison.Ordinal) + 20;
        return Encoding.ASCII.GetBytes(text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _identity.Dispose();
        _signing.Dispose();
    }
}
