using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Network.Links;

namespace HiddenPoint.Network.Tests;

/// <summary>A hand-driven link peer, for sending what a well-behaved link never would.</summary>
internal static class RawPeer
{
    /// <summary>Runs the client side of an NK handshake by hand and returns the transport keys.</summary>
    public static async Task<NoiseTransport> InitiateClientAsync(IDuplexPipe pipe, LinkPublicKey responder)
    {
        using var handshake = NoiseHandshake.CreateInitiator(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, null, responder.Key);
        var message = new byte[LinkFraming.MaxHandshakeMessageLength];
        Assert.Equal(NoiseError.None, handshake.WriteMessage([], message, out var written));
        var prefix = new byte[3];
        prefix[0] = (byte)LinkKind.ClientToRelay;
        BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(1), (ushort)written);
        await pipe.Output.WriteAsync(prefix);
        await pipe.Output.WriteAsync(message.AsMemory(0, written));
        var reply = await ReadHandshakeMessageAsync(pipe.Input);
        Assert.Equal(NoiseError.None, handshake.ReadMessage(reply, [], out _));
        return handshake.Split();
    }

    /// <summary>Runs the relay side of an NK handshake by hand.</summary>
    public static async Task<NoiseTransport> RespondClientAsync(IDuplexPipe pipe, LinkKey localStatic)
    {
        using var handshake = NoiseHandshake.CreateResponder(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, localStatic);
        var kind = await ReadExactAsync(pipe.Input, 1);
        Assert.Equal((byte)LinkKind.ClientToRelay, kind[0]);
        var first = await ReadHandshakeMessageAsync(pipe.Input);
        Assert.Equal(NoiseError.None, handshake.ReadMessage(first, [], out _));
        var message = new byte[LinkFraming.MaxHandshakeMessageLength];
        Assert.Equal(NoiseError.None, handshake.WriteMessage([], message, out var written));
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)written);
        await pipe.Output.WriteAsync(prefix);
        await pipe.Output.WriteAsync(message.AsMemory(0, written));
        return handshake.Split();
    }

    /// <summary>Seals <paramref name="plaintext"/> as one frame (a cell is 514 bytes; other sizes make bad frames).</summary>
    public static byte[] Seal(NoiseTransport transport, ReadOnlySpan<byte> plaintext)
    {
        var frame = new byte[plaintext.Length + NoiseCipherState.TagLength];
        Assert.Equal(NoiseError.None, transport.Sender.Encrypt(plaintext, frame));
        return frame;
    }

    public static async Task<byte[]> ReadHandshakeMessageAsync(PipeReader input)
    {
        var prefix = await ReadExactAsync(input, 2);
        return await ReadExactAsync(input, BinaryPrimitives.ReadUInt16BigEndian(prefix));
    }

    public static async Task<byte[]> ReadExactAsync(PipeReader input, int count)
    {
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(TestNetwork.Timeout);
            if (result.Buffer.Length >= count)
            {
                var bytes = result.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            Assert.False(result.IsCompleted, "the stream ended early");
        }
    }
}
