using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// ntor v3 with HiddenPoint's labels and a CREATE2-sized extension message: the relay's work per circuit
/// (client handshake in → reply and 128 bytes of circuit keys out) and the client's (start, then finish).
/// </summary>
[MemoryDiagnoser]
public class NtorBenchmarks
{
    private readonly RelayId _relayId = new(Ed25519PublicKey.FromBytes(new byte[32]));
    private readonly byte[] _clientHandshake;
    private readonly byte[] _serverHandshake;
    private readonly byte[] _clientScratch;
    private readonly byte[] _serverScratch;
    private readonly byte[] _keys = new byte[128];
    private readonly byte[] _fixedSecretX = new byte[32];
    private readonly byte[] _replyToFixedX;
    private readonly byte[] _clientMessage;
    private readonly byte[] _serverMessage;
    private readonly CircuitHandshakeKey _onionKey = CircuitHandshakeKey.Generate();
    private readonly NtorV3Server _server;
    private readonly HsIntroEncryptionKey _hsIntroKey = HsIntroEncryptionKey.Generate();
    private readonly HsNtorService _hsService;
    private readonly byte[] _hsHeader = new byte[56];
    private readonly byte[] _hsSection = new byte[HsNtorClient.GetEncryptedSectionLength(246)];
    private readonly byte[] _hsHandshakeInfo = new byte[HsNtorIntroduction.HandshakeInfoLength];

    public NtorBenchmarks()
    {
        _server = new NtorV3Server(NtorV3Labels.Hpc, _relayId, _onionKey);
        _clientMessage = new NtorV3ExtensionList(new NtorV3Extension(1, []), new NtorV3Extension(3, [1, 5])).ToArray();
        _serverMessage = new NtorV3ExtensionList(new NtorV3Extension(2, [31])).ToArray();
        _clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(_clientMessage.Length)];
        _clientScratch = new byte[_clientHandshake.Length];
        if (!NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, _clientMessage, _clientHandshake, out var client, out _))
        {
            throw new InvalidOperationException("handshake failed");
        }

        using var clientScope = client;
        _serverHandshake = new byte[NtorV3ServerRequest.GetServerHandshakeLength(_serverMessage.Length)];
        _serverScratch = new byte[_serverHandshake.Length];
        _replyToFixedX = new byte[_serverHandshake.Length];
        ServerHandshakeInto(_serverHandshake);

        _fixedSecretX[0] = 0x42;
        using var fixedClient = NtorV3Client.StartWithFixedEphemeralKeyForTestsOnly(
            NtorV3Labels.Hpc, _relayId, _onionKey.Public, _clientMessage, _clientScratch, _fixedSecretX);
        if (!_server.TryAccept(_clientScratch, out var request, out _))
        {
            throw new InvalidOperationException("handshake failed");
        }

        request.Respond(_serverMessage, _replyToFixedX).Dispose();

        var authKey = new HsIntroAuthKey(Ed25519PublicKey.FromBytes(new byte[32]));
        var subcredential = new Subcredential(new byte[32]);
        _hsService = new HsNtorService(HsNtorLabels.Hpc, _hsIntroKey, authKey, subcredential);
        if (!HsNtorClient.TryStart(HsNtorLabels.Hpc, authKey, _hsIntroKey.Public, subcredential, out var hsClient, out _))
        {
            throw new InvalidOperationException("introduction failed");
        }

        using (hsClient)
        {
            hsClient.SealIntroduce(_hsHeader, new byte[246], _hsSection);
        }
    }

    /// <summary>One relay-side handshake: verify the client's message, answer it, read the circuit keys.</summary>
    [Benchmark]
    public byte ServerHandshake() => ServerHandshakeInto(_serverScratch);

    /// <summary>
    /// The client's whole part: build the onionskin, then check the relay's reply and read the circuit keys. The
    /// ephemeral x is fixed (through the tests-only entry point) so that one precomputed reply answers every
    /// iteration; the work is the same as with a fresh x, less one 32-byte RNG read.
    /// </summary>
    [Benchmark]
    public byte ClientCreateAndFinish()
    {
        using var client = NtorV3Client.StartWithFixedEphemeralKeyForTestsOnly(
            NtorV3Labels.Hpc, _relayId, _onionKey.Public, _clientMessage, _clientScratch, _fixedSecretX);
        if (!client.TryFinish(_replyToFixedX, out var keys, out _, out _))
        {
            throw new InvalidOperationException("handshake failed");
        }

        using (keys)
        {
            keys.Read(_keys);
        }

        return _keys[0];
    }

    /// <summary>The client's part alone: build the onionskin (one base-point and one variable-point X25519).</summary>
    [Benchmark]
    public byte ClientCreate()
    {
        if (!NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, _clientMessage, _clientScratch, out var client, out _))
        {
            throw new InvalidOperationException("handshake failed");
        }

        using var clientScope = client;
        return _clientScratch[64];
    }

    /// <summary>The hidden point's side of hs_ntor: open INTRODUCE2 (246-byte plaintext), answer in RENDEZVOUS1, read keys.</summary>
    [Benchmark]
    public byte HsNtorServiceIntroduceAndRespond()
    {
        if (!_hsService.TryOpenIntroduce(_hsHeader, _hsSection, out var introduction, out _))
        {
            throw new InvalidOperationException("introduction failed");
        }

        using (introduction)
        using (var keys = introduction.Respond(_hsHandshakeInfo))
        {
            keys.Read(_keys);
        }

        return _keys[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onionKey.Dispose();
        _hsIntroKey.Dispose();
    }

    private byte ServerHandshakeInto(byte[] reply)
    {
        if (!_server.TryAccept(_clientHandshake, out var request, out _))
        {
            throw new InvalidOperationException("handshake failed");
        }

        using (var keys = request.Respond(_serverMessage, reply))
        {
            keys.Read(_keys);
        }

        return _keys[0];
    }
}
