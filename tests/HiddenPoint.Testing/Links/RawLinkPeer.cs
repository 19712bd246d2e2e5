using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Network.Links;

namespace HiddenPoint.Testing;

/// <summary>
/// A hand-driven link peer, for sending what a well-behaved link never would: the Noise NK handshake run by hand over a
/// raw pipe, and frames sealed one by one. It throws when the other side does not answer as a link does.
/// </summary>
public static class RawLinkPeer
{
    /// <summary>Runs the client side of an NK handshake by hand and returns the transport keys.</summary>
    public static async Task<NoiseTransport> InitiateClientAsync(IDuplexPipe pipe, LinkPublicKey responder)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        using var handshake = NoiseHandshake.CreateInitiator(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, null, responder.Key);
        var message = new byte[LinkFraming.MaxHandshakeMessageLength];
        Check(handshake.WriteMessage([], message, out var written));
        var prefix = new byte[3];
        prefix[0] = (byte)LinkKind.ClientToRelay;
        BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(1), (ushort)written);
        await pipe.Output.WriteAsync(prefix).ConfigureAwait(false);
        await pipe.Output.WriteAsync(message.AsMemory(0, written)).ConfigureAwait(false);
        var reply = await ReadHandshakeMessageAsync(pipe.Input).ConfigureAwait(false);
        Check(handshake.ReadMessage(reply, [], out _));
        return handshake.Split();
    }

    /// <summary>
    /// Opens a client link on <paramref name="runtime"/> to a relay played by hand over in-memory pipes: returns the
    /// link, the relay's raw end and its transport keys. The raw relay reads nothing unless the test reads it.
    /// </summary>
    public static async Task<(Link Client, DuplexPipe Relay, NoiseTransport Transport)> ConnectClientToRawRelayAsync(LinkRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var pair = TestLinks.PipePair();
        using var key = LinkKey.Generate();
        var connect = runtime.ConnectAsync(pair.A, LinkKind.ClientToRelay, key.Public, null);
        var transport = await RespondClientAsync(pair.RawB, key).ConfigureAwait(false);
        var opened = await connect.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        var link = opened.Link ?? throw new InvalidOperationException($"The client link did not open: {opened.Failure}.");
        return (link, pair.RawB, transport);
    }

    /// <summary>Runs the relay side of an NK handshake by hand.</summary>
    public static async Task<NoiseTransport> RespondClientAsync(IDuplexPipe pipe, LinkKey localStatic)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        using var handshake = NoiseHandshake.CreateResponder(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, localStatic);
        var kind = await ReadExactAsync(pipe.Input, 1).ConfigureAwait(false);
        if (kind[0] != (byte)LinkKind.ClientToRelay)
        {
            throw new InvalidDataException($"The initiator asked for link kind {kind[0]}, not a client link.");
        }

        var first = await ReadHandshakeMessageAsync(pipe.Input).ConfigureAwait(false);
        Check(handshake.ReadMessage(first, [], out _));
        var message = new byte[LinkFraming.MaxHandshakeMessageLength];
        Check(handshake.WriteMessage([], message, out var written));
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)written);
        await pipe.Output.WriteAsync(prefix).ConfigureAwait(false);
        await pipe.Output.WriteAsync(message.AsMemory(0, written)).ConfigureAwait(false);
        return handshake.Split();
    }

    /// <summary>Seals <paramref name="plaintext"/> as one frame (a cell is 514 bytes; other sizes make bad frames).</summary>
    public static byte[] Seal(NoiseTransport transport, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var frame = new byte[plaintext.Length + NoiseCipherState.TagLength];
        Check(transport.Sender.Encrypt(plaintext, frame));
        return frame;
    }

    /// <summary>Reads one handshake message: its two-byte length, then the message.</summary>
    public static async Task<byte[]> ReadHandshakeMessageAsync(PipeReader input)
    {
        var prefix = await ReadExactAsync(input, 2).ConfigureAwait(false);
        return await ReadExactAsync(input, BinaryPrimitives.ReadUInt16BigEndian(prefix)).ConfigureAwait(false);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; throws when the stream ends first.</summary>
    public static async Task<byte[]> ReadExactAsync(PipeReader input, int count)
    {
        ArgumentNullException.ThrowIfNull(input);
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
            if (result.Buffer.Length >= count)
            {
                var bytes = result.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException("The stream ended early.");
            }
        }
    }

    private static void Check(NoiseError error)
    {
        if (error != NoiseError.None)
        {
            throw new InvalidOperationException($"The hand-driven Noise step failed: {error}.");
        }
    }
}
