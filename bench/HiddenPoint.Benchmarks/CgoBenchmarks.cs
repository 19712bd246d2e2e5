using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// CGO relay-cell crypto per 509-byte cell (docs/benchmarks.md: "CGO relay forward and backward per cell, client
/// originate to hop 3 per cell, client receive per cell"), on AES-128 as the network runs it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
public class CgoBenchmarks
{
    private const byte RelayCommand = 3;
    private const int ReceiveBatch = 2048;

    private readonly byte[] _body = new byte[CgoSizes.BodyLength];
    private readonly byte[] _tag = new byte[CgoSizes.TagLength];
    private CgoRelayHop _relay = null!;
    private CgoClientCircuit _client = null!;
    private CgoClientCircuit _receiver = null!;
    private byte[][] _inbound = null!;
    private int _next;

    [Params(PrimitiveImplementation.Intrinsic)]
    public PrimitiveImplementation Implementation { get; set; }

    [GlobalSetup(Targets = [nameof(RelayForward), nameof(RelayBackward), nameof(RelayOriginate), nameof(ClientOriginateHop3)])]
    public void Setup()
    {
        var random = new Random(359);
        random.NextBytes(_body);
        var material = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
        random.NextBytes(material);
        _relay = new CgoRelayHop(material, CgoAesKeySize.Aes128, Implementation);
        _client = NewClient(random, out _);
        _inbound = new byte[ReceiveBatch][];
        for (var i = 0; i < ReceiveBatch; i++)
        {
            _inbound[i] = new byte[CgoSizes.BodyLength];
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _relay.Dispose();
        _client.Dispose();
    }

    private CgoClientCircuit NewClient(Random random, out CgoRelayHop[] relays)
    {
        var client = new CgoClientCircuit(3);
        relays = new CgoRelayHop[3];
        for (var i = 0; i < 3; i++)
        {
            var material = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
            random.NextBytes(material);
            client.AddHop(new CgoClientHop(material, CgoAesKeySize.Aes128, Implementation));
            relays[i] = new CgoRelayHop(material, CgoAesKeySize.Aes128, Implementation);
        }

        return client;
    }

    /// <summary>A relay peels its layer off a cell that is not for it (the common case: no key update).</summary>
    [Benchmark]
    public bool RelayForward() => _relay.ProcessForward(RelayCommand, _body, _tag);

    /// <summary>A relay adds its layer to a cell travelling towards the client.</summary>
    [Benchmark]
    public void RelayBackward() => _relay.ProcessBackward(RelayCommand, _body);

    /// <summary>A relay originates a cell towards the client (with its key update).</summary>
    [Benchmark]
    public void RelayOriginate() => _relay.Originate(RelayCommand, _body, _tag);

    /// <summary>The client encrypts a cell for hop 3 through all three layers (with hop 3's key update).</summary>
    [Benchmark]
    public void ClientOriginateHop3() => _client.Originate(2, RelayCommand, _body, _tag);

    [GlobalSetup(Target = nameof(ClientReceiveFromHop3))]
    public void SetupReceive() => Setup();

    /// <summary>Prepares a batch of cells that hop 3 originated and hops 2 and 1 relayed, for a fresh client.</summary>
    [IterationSetup(Target = nameof(ClientReceiveFromHop3))]
    public void PrepareReceive()
    {
        _receiver?.Dispose();
        var random = new Random(1);
        _receiver = NewClient(random, out var relays);
        foreach (var cell in _inbound)
        {
            random.NextBytes(cell);
            relays[2].Originate(RelayCommand, cell, _tag);
            relays[1].ProcessBackward(RelayCommand, cell);
            relays[0].ProcessBackward(RelayCommand, cell);
        }

        foreach (var relay in relays)
        {
            relay.Dispose();
        }

        _next = 0;
    }

    /// <summary>
    /// The client peels three layers off a cell from hop 3 and recognises it (with hop 3's key update). Each
    /// iteration consumes the batch its setup prepared, one cell per invocation.
    /// </summary>
    [Benchmark]
    [InvocationCount(ReceiveBatch)]
    public bool ClientReceiveFromHop3()
    {
        var cell = _inbound[_next++];
        if (!_receiver.TryReceive(RelayCommand, cell, _tag, out _))
        {
            throw new InvalidOperationException("A prepared cell was not recognised.");
        }

        return true;
    }
}
