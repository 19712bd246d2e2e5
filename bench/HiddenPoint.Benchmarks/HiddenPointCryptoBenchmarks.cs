using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// Hidden-point identity work: parsing an id, blinding per period, signing with the blinded key, and placing relays
/// and a hidden point on the HSDir ring.
/// </summary>
[MemoryDiagnoser]
public class HiddenPointCryptoBenchmarks
{
    private readonly byte[] _message = new byte[128];
    private readonly byte[] _signature = new byte[64];
    private readonly byte[] _signatureOut = new byte[64];
    private readonly byte[] _relayIdentity = new byte[32];
    private readonly HsDirIndex[] _ring = new HsDirIndex[8000];
    private readonly HsDirIndex[] _positions = new HsDirIndex[2];
    private readonly int[] _selected = new int[8];
    private HiddenPointIdentitySecretKey _identity = null!;
    private BlindedSigningKey _blinded = null!;
    private SharedRandomValue _srv = null!;
    private string _hiddenId = null!;
    private TimePeriod _period;

    [GlobalSetup]
    public void Setup()
    {
        _identity = HiddenPointIdentitySecretKey.FromSeed(new byte[32]);
        _period = new TimePeriod(20000);
        _blinded = KeyBlinding.BlindSigningKey(_identity, _period, KeyBlindingLabels.Hpc);
        _hiddenId = _identity.PublicKey.ToHiddenId().ToString();
        _blinded.Sign(_message, _signature);
        _srv = HsDirRing.DisasterSharedRandomValue(_period, HsDirRingLabels.Hpc);
        var identity = new byte[32];
        for (var i = 0; i < _ring.Length; i++)
        {
            identity[0] = (byte)i;
            identity[1] = (byte)(i >> 8);
            _ring[i] = HsDirRing.RelayIndex(identity, _srv, _period, HsDirRingLabels.Hpc);
        }

        Array.Sort(_ring);
        _positions[0] = HsDirRing.ServiceIndex(_blinded.PublicKey, 1, _period, HsDirRingLabels.Hpc);
        _positions[1] = HsDirRing.ServiceIndex(_blinded.PublicKey, 2, _period, HsDirRingLabels.Hpc);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _blinded.Dispose();
        _identity.Dispose();
    }

    [Benchmark]
    public bool ParseHiddenId() => HiddenId.TryParse(_hiddenId, HiddenIdLabels.Hpc, out _, out _);

    [Benchmark]
    public BlindedPublicKey BlindPublicKey() => KeyBlinding.BlindPublicKey(_identity.PublicKey, _period, KeyBlindingLabels.Hpc);

    [Benchmark]
    public Subcredential Subcredential() =>
        KeyBlinding.ComputeSubcredential(_identity.PublicKey, _blinded.PublicKey, KeyBlindingLabels.Hpc);

    [Benchmark]
    public void SignWithBlindedKey() => _blinded.Sign(_message, _signatureOut);

    [Benchmark]
    public bool VerifyBlindedSignature() => _blinded.PublicKey.Verify(_message, _signature);

    [Benchmark]
    public HsDirIndex RelayIndex() => HsDirRing.RelayIndex(_relayIdentity, _srv, _period, HsDirRingLabels.Hpc);

    [Benchmark]
    public int SelectStoreHsDirsOn8000Relays() => HsDirRing.SelectResponsible(_ring, _positions, 4, _selected);
}
