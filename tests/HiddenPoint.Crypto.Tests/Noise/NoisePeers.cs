using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Crypto.Tests.Noise;

/// <summary>
/// An initiator and a responder with fresh static keys, driven one message at a time so that tests can change
/// a message between the two sides.
/// </summary>
internal sealed class NoisePeers : IDisposable
{
    private readonly byte[] _payloadBuffer = new byte[NoiseHandshake.MaxMessageLength];

    public NoisePeers(NoiseProtocol protocol, byte[]? initiatorPrologue = null, byte[]? responderPrologue = null, X25519PublicKey? initiatorView = null)
    {
        Protocol = protocol;
        var pattern = protocol.Pattern;
        InitiatorStatic = pattern.InitiatorNeedsLocalStatic ? LinkKey.Generate() : null;
        ResponderStatic = pattern.ResponderNeedsLocalStatic ? LinkKey.Generate() : null;
        Initiator = NoiseHandshake.CreateInitiator(
            protocol,
            initiatorPrologue ?? NoisePrologues.HpcLink.ToArray(),
            InitiatorStatic,
            pattern.InitiatorNeedsRemoteStatic ? initiatorView ?? ResponderStatic!.PublicKey : null);
        Responder = NoiseHandshake.CreateResponder(protocol, responderPrologue ?? NoisePrologues.HpcLink.ToArray(), ResponderStatic);
    }

    public NoiseProtocol Protocol { get; }

    public LinkKey? InitiatorStatic { get; }

    public LinkKey? ResponderStatic { get; }

    public NoiseHandshake Initiator { get; }

    public NoiseHandshake Responder { get; }

    public int MessagesSent { get; private set; }

    public NoiseHandshake Sender => MessagesSent % 2 == 0 ? Initiator : Responder;

    /// <summary>The side the last written message is for.</summary>
    public NoiseHandshake LastReceiver => MessagesSent % 2 == 1 ? Responder : Initiator;

    public static NoiseProtocol ProtocolNamed(string name) =>
        NoiseProtocol.TryParse(name, out var protocol) ? protocol : throw new ArgumentException(name);

    /// <summary>The next message as the sender writes it.</summary>
    public byte[] Write(byte[] payload)
    {
        var message = new byte[Sender.GetNextMessageLength(payload.Length)];
        Assert.Equal(NoiseError.None, Sender.WriteMessage(payload, message, out var written));
        Assert.Equal(message.Length, written);
        MessagesSent++;
        return message;
    }

    /// <summary>Delivers a message to the side that expects it; returns the result and the payload read.</summary>
    public (NoiseError Error, byte[] Payload) Read(byte[] message)
    {
        var error = LastReceiver.ReadMessage(message, _payloadBuffer, out var length);
        return (error, _payloadBuffer.AsSpan(0, length).ToArray());
    }

    /// <summary>Runs the whole handshake with the given payloads; every step must succeed.</summary>
    public void Complete(Func<int, byte[]>? payloadOf = null)
    {
        while (!(Initiator.IsComplete && Responder.IsComplete))
        {
            var payload = payloadOf?.Invoke(MessagesSent) ?? [];
            var (error, received) = Read(Write(payload));
            Assert.Equal(NoiseError.None, error);
            Assert.Equal(payload, received);
        }
    }

    public void Dispose()
    {
        Initiator.Dispose();
        Responder.Dispose();
        InitiatorStatic?.Dispose();
        ResponderStatic?.Dispose();
    }
}
