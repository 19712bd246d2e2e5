using System.Net;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// Hidden-point descriptors with three introduction points: what an HSDir does per upload (parse and verify the outer
/// layer), what a client does per fetch (verify and decrypt both layers), and what a host does per publication.
/// </summary>
[MemoryDiagnoser]
public class HsDescriptorBenchmarks
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private HiddenPointIdentitySecretKey _identity = null!;
    private HsDescriptorSigningKey _signing = null!;
    private BlindedPublicKey _blindedKey = null!;
    private HsDescriptorContent _content = null!;
    private TimePeriod _period;
    private byte[] _document = null!;

    [GlobalSetup]
    public void Setup()
    {
        _identity = HiddenPointIdentitySecretKey.FromSeed(new byte[32]);
        _signing = HsDescriptorSigningKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        _period = TimePeriod.FromInstant(s_now);
        _blindedKey = KeyBlinding.BlindPublicKey(_identity.PublicKey, _period, KeyBlindingLabels.Hpc);
        var points = new List<HsIntroductionPoint>();
        for (var i = 0; i < 3; i++)
        {
            var key = Enumerable.Repeat((byte)(i + 10), 32).ToArray();
            points.Add(new HsIntroductionPoint(
                new LinkSpecifiers(new RelayId(Ed25519PublicKey.FromBytes(key)), new IPEndPoint(IPAddress.Loopback, 9001 + i), null),
                new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(key)),
                new HsIntroAuthKey(Ed25519PublicKey.FromBytes(key)),
                new HsIntroEncryptionPublicKey(X25519PublicKey.FromBytes(key))));
        }

        _content = new HsDescriptorContent { RevisionCounter = 1, CertificatesExpire = s_now.AddHours(54), IntroductionPoints = points };
        _document = HiddenPointDescriptor.Build(_identity, _period, _signing, _content);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _identity.Dispose();
        _signing.Dispose();
    }

    /// <summary>An HSDir's work per upload, before its table.</summary>
    [Benchmark]
    public bool HsDirParseAndVerify() =>
        HsDescriptorParser.TryParse(_document, out var unverified, out _) && unverified.TryVerify(_blindedKey, s_now, out _, out _);

    /// <summary>A client's work per fetched descriptor, blinding included.</summary>
    [Benchmark]
    public bool ClientOpen() => HiddenPointDescriptor.TryOpen(_document, _identity.PublicKey, _period, s_now, out _, out _, out _);

    /// <summary>A host's work per publication, blinding included.</summary>
    [Benchmark]
    public int HostBuild() => HiddenPointDescriptor.Build(_identity, _period, _signing, _content).Length;
}
