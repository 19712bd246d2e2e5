using System.Buffers.Binary;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// The Noise link handshake (FZ-02). The first input byte picks the side and pattern: a responder (NK for clients, XK
/// between relays) given the initiator's messages from the input, or an initiator given the responder's. The rest is
/// the link's handshake framing, <c>length (2) · message</c> repeated; the side reads each message it expects, writes
/// its own in between, and once complete decrypts one more chunk as a transport frame. Every failure is a
/// <see cref="NoiseError"/>; nothing may throw.
/// </summary>
internal sealed class NoiseHarness : Harness
{
    private static readonly LinkKey s_relayLink = LinkKey.FromSeed(FixedKeys.Seed(1, 1));
    private static readonly LinkKey s_peerLink = LinkKey.FromSeed(FixedKeys.Seed(1, 2));

    public override string Name => "noise";

    public override string Description => "Noise NK/XK handshake messages: responder given client input, initiator given responder input (first byte picks)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var selector = input[0] % 4;
        var protocol = (selector & 1) == 0 ? NoiseProtocol.ClientToRelay : NoiseProtocol.RelayToRelay;
        using var handshake = (selector & 2) == 0
            ? NoiseHandshake.CreateResponder(protocol, NoisePrologues.HpcLink, s_relayLink)
            : NoiseHandshake.CreateInitiator(
                protocol, NoisePrologues.HpcLink, protocol == NoiseProtocol.RelayToRelay ? s_peerLink : null, s_relayLink.PublicKey);
        Drive(handshake, input[1..]);
    }

    private static void Drive(NoiseHandshake handshake, ReadOnlySpan<byte> rest)
    {
        var scratch = new byte[NoiseHandshake.MaxMessageLength];
        while (!handshake.IsComplete && !handshake.HasFailed)
        {
            if (handshake.IsMyTurnToWrite)
            {
                var length = handshake.GetNextMessageLength(0);
                if (handshake.WriteMessage([], scratch.AsSpan(0, length), out _) != NoiseError.None)
                {
                    return;
                }

                continue;
            }

            if (!TryTakeChunk(ref rest, out var message))
            {
                return;
            }

            if (handshake.ReadMessage(message, scratch, out _) != NoiseError.None)
            {
                return;
            }
        }

        if (!handshake.IsComplete || !TryTakeChunk(ref rest, out var frame))
        {
            return;
        }

        using var transport = handshake.Split();
        if (frame.Length >= NoiseCipherState.TagLength)
        {
            _ = transport.Receiver.Decrypt(frame, scratch.AsSpan(0, frame.Length - NoiseCipherState.TagLength));
        }
    }

    // The link's handshake framing: a big-endian length, then that many bytes; a length past the input ends the run.
    private static bool TryTakeChunk(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> chunk)
    {
        chunk = default;
        if (rest.Length < 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (rest.Length - 2 < length)
        {
            return false;
        }

        chunk = rest.Slice(2, length);
        rest = rest[(2 + length)..];
        return true;
    }

    public override IEnumerable<byte[]> Seeds()
    {
        foreach (var protocol in new[] { NoiseProtocol.ClientToRelay, NoiseProtocol.RelayToRelay })
        {
            var xk = protocol == NoiseProtocol.RelayToRelay;
            using var initiator = NoiseHandshake.CreateInitiator(protocol, NoisePrologues.HpcLink, xk ? s_peerLink : null, s_relayLink.PublicKey);
            using var responder = NoiseHandshake.CreateResponder(protocol, NoisePrologues.HpcLink, s_relayLink);
            var toResponder = new List<byte> { (byte)(xk ? 1 : 0) };
            var toInitiator = new List<byte> { (byte)(xk ? 3 : 2) };
            var payload = new byte[NoiseHandshake.MaxMessageLength];
            while (!initiator.IsComplete)
            {
                var (writer, reader, log) = initiator.IsMyTurnToWrite ? (initiator, responder, toResponder) : (responder, initiator, toInitiator);
                var message = new byte[writer.GetNextMessageLength(0)];
                _ = writer.WriteMessage([], message, out _);
                _ = reader.ReadMessage(message, payload, out _);
                log.Add((byte)(message.Length >> 8));
                log.Add((byte)message.Length);
                log.AddRange(message);
            }

            yield return [.. toResponder];
            yield return [.. toInitiator];
        }

        yield return [0, 0, 32];
        yield return [2, 0xFF, 0xFF];
    }
}
