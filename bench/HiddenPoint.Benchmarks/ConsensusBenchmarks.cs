using System.Net;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// A consensus of 10,000 relays signed by 9 authorities: how long an authority takes to build it, and how long a
/// relay or client takes to parse it and verify its signatures (targets: build ≤ 2 s, parse and verify ≤ 300 ms, one core).
/// </summary>
[MemoryDiagnoser]
public class ConsensusBenchmarks
{
    private const int RelayCount = 10_000;
    private const int AuthorityCount = 9;
    private static readonly DateTimeOffset s_validAfter = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private AuthorityIdentityKey[] _authorities = [];
    private AuthorityId[] _pinned = [];
    private NetworkStatusBuilder _builder = null!;
    private byte[] _document = [];

    [GlobalSetup]
    public void Setup()
    {
        _authorities = new AuthorityIdentityKey[AuthorityCount];
        var entries = new AuthorityEntry[AuthorityCount];
        _pinned = new AuthorityId[AuthorityCount];
        for (var i = 0; i < AuthorityCount; i++)
        {
            _authorities[i] = AuthorityIdentityKey.Generate();
            _pinned[i] = _authorities[i].Id;
            entries[i] = new AuthorityEntry(_authorities[i].Id, $"auth{i}", new RelayAddress(new IPAddress([127, 0, 0, (byte)(i + 1)]), 7000));
        }

        _builder = new NetworkStatusBuilder
        {
            ValidAfter = s_validAfter,
            FreshUntil = s_validAfter.AddHours(1),
            ValidUntil = s_validAfter.AddHours(3),
            Parameters = new NetworkParameters([new("CircuitWindow", 500)]),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = entries,
            Relays = Relays(),
        };
        _document = Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var key in _authorities)
        {
            key.Dispose();
        }
    }

    /// <summary>Body, 9 signatures, assembly: what the authorities do together each round.</summary>
    [Benchmark]
    public byte[] Build()
    {
        var body = _builder.BuildBody(NetworkStatusKind.Consensus);
        var signatures = new DirectorySignature[_authorities.Length];
        for (var i = 0; i < _authorities.Length; i++)
        {
            signatures[i] = NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _authorities[i]);
        }

        return NetworkStatusBuilder.Assemble(body, signatures);
    }

    /// <summary>What a relay or client does with a fetched consensus before using it.</summary>
    [Benchmark]
    public Consensus ParseAndVerify()
    {
        if (!NetworkStatusParser.TryParseConsensus(_document, out var unverified, out var error))
        {
            throw new InvalidOperationException("The consensus does not parse: " + error);
        }

        var signed = unverified.VerifySignatures(_pinned);
        if (!signed.IsValid)
        {
            throw new InvalidOperationException("The consensus does not verify: " + signed.Error);
        }

        return signed.Value.CheckValidAt(s_validAfter, held: null).Value!;
    }

    private static List<RelayStatus> Relays()
    {
        var random = new Random(1);
        var relays = new List<RelayStatus>(RelayCount);
        var bytes = new byte[32];
        for (var i = 0; i < RelayCount; i++)
        {
            random.NextBytes(bytes);
            var id = new RelayId(Ed25519PublicKey.FromBytes(bytes));
            random.NextBytes(bytes);
            var link = new LinkPublicKey(X25519PublicKey.FromBytes(bytes));
            random.NextBytes(bytes);
            var circuit = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(bytes));
            RelayAddress[] addresses = [new RelayAddress(new IPAddress([10, (byte)(i >> 8), (byte)i, 1]), 9001)];
            var flags = RelayFlags.Running | RelayFlags.Valid | (i % 2 == 0 ? RelayFlags.Fast : 0) |
                (i % 4 == 0 ? RelayFlags.Guard | RelayFlags.Stable : 0) | (i % 5 == 0 ? RelayFlags.HSDir : 0);
            relays.Add(new RelayStatus(id, $"r{i}", addresses, link, circuit, flags, (uint)random.Next(1, 100_000)));
        }

        return relays;
    }
}
