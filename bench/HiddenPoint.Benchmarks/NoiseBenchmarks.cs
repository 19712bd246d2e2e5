using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// Link handshakes (both sides, fresh ephemeral keys, as a link runs them) and the per-frame transport cost: one
/// 514-byte cell sealed into a 530-byte frame and opened again.
/// </summary>
[MemoryDiagnoser]
public class NoiseBenchmarks
{
    private const int CellLength = 514;

    private readonly byte[] _message = new byte[NoiseHandshake.MaxMessageLength];
    private readonly byte[] _payload = new byte[NoiseHandshake.MaxMessageLength];
    private readonly byte[] _cell = new byte[CellLength];
    private readonly byte[] _frame = new byte[CellLength + NoiseCipherState.TagLength];
    private readonly byte[] _opened = new byte[CellLength];
    private LinkKey _initiatorKey = null!;
    private LinkKey _responderKey = null!;
    private NoiseTransport _sender = null!;
    private NoiseTransport _receiver = null!;

    [GlobalSetup]
    public void Setup()
    {
        _initiatorKey = LinkKey.Generate();
        _responderKey = LinkKey.Generate();
        Random.Shared.NextBytes(_cell);
        using var initiator = NoiseHandshake.CreateInitiator(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, _initiatorKey, _responderKey.PublicKey);
        using var responder = NoiseHandshake.CreateResponder(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, _responderKey);
        Run(initiator, responder);
        _sender = initiator.Split();
        _receiver = responder.Split();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _initiatorKey.Dispose();
        _responderKey.Dispose();
    }

    /// <summary>Client to relay: both sides of a full NK handshake, through Split.</summary>
    [Benchmark]
    public int NkHandshake()
    {
        using var initiator = NoiseHandshake.CreateInitiator(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, remoteStatic: _responderKey.PublicKey);
        using var responder = NoiseHandshake.CreateResponder(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, _responderKey);
        Run(initiator, responder);
        using var a = initiator.Split();
        using var b = responder.Split();
        return a.HandshakeHash[0] ^ b.HandshakeHash[0];
    }

    /// <summary>Relay to relay: both sides of a full XK handshake, through Split.</summary>
    [Benchmark]
    public int XkHandshake()
    {
        using var initiator = NoiseHandshake.CreateInitiator(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, _initiatorKey, _responderKey.PublicKey);
        using var responder = NoiseHandshake.CreateResponder(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, _responderKey);
        Run(initiator, responder);
        using var a = initiator.Split();
        using var b = responder.Split();
        return a.HandshakeHash[0] ^ b.HandshakeHash[0];
    }

    /// <summary>Seal one cell into a frame (the sender's per-cell cost). Uses the direction the next benchmark does not.</summary>
    [Benchmark]
    public NoiseError SealCell() => _receiver.Sender.Encrypt(_cell, _frame);

    /// <summary>Seal one cell and open the frame on the other side (both ends of a link's per-cell cost).</summary>
    [Benchmark]
    public NoiseError SealAndOpenCell()
    {
        var error = _sender.Sender.Encrypt(_cell, _frame);
        return error != NoiseError.None ? error : _receiver.Receiver.Decrypt(_frame, _opened);
    }

    private void Run(NoiseHandshake initiator, NoiseHandshake responder)
    {
        while (!initiator.IsComplete || !responder.IsComplete)
        {
            var (from, to) = initiator.IsMyTurnToWrite ? (initiator, responder) : (responder, initiator);
            if (from.WriteMessage([], _message, out var written) != NoiseError.None ||
                to.ReadMessage(_message.AsSpan(0, written), _payload, out _) != NoiseError.None)
            {
                throw new InvalidOperationException("Handshake failed.");
            }
        }
    }
}
