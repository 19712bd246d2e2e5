using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing.Messaging;

/// <summary>
/// A hand-driven connecting side of the conversation protocol, frame by frame, against a real engine's
/// <see cref="MessagingEngine.AcceptAsync"/>: for tests of exactly what a host does with given frames.
/// </summary>
public sealed class RawConversationClient
{
    private readonly IDuplexPipe _pipe;

    private RawConversationClient(IDuplexPipe pipe, Task<IncomingConnectionOutcome> outcome)
    {
        _pipe = pipe;
        Outcome = outcome;
    }

    /// <summary>What the host made of the connection.</summary>
    public Task<IncomingConnectionOutcome> Outcome { get; }

    /// <summary>
    /// Opens a connection with a fresh binding to <paramref name="host"/> and sends a Hello signed by
    /// <paramref name="identity"/> over <paramref name="signedBinding"/> (this connection's binding when null).
    /// </summary>
    public static async Task<RawConversationClient> ConnectAsync(MessagingEngine host, HiddenPointIdentitySecretKey identity, byte[]? signedBinding = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(identity);
        var (client, server) = DuplexPipePair.Create();
        var binding = RandomNumberGenerator.GetBytes(32);
        var outcome = host.AcceptAsync(new ConversationTransport(server, binding), CancellationToken.None);
        FrameEncoder.WriteHello(client.Output, identity.PublicKey, HelloProof.Sign(identity, signedBinding ?? binding));
        await client.Output.FlushAsync().ConfigureAwait(false);
        return new RawConversationClient(client, outcome);
    }

    /// <summary>Writes a Message with body <paramref name="text"/> (not flushed).</summary>
    public void WriteMessage(MessageId id, ulong sequence, string text) =>
        FrameEncoder.WriteMessage(_pipe.Output, id, sequence, DateTimeOffset.UnixEpoch, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Writes any bytes (not flushed): a frame made with <see cref="FrameEncoder"/> out of turn, or garbage.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _pipe.Output.Write(bytes);

    /// <summary>Writes an Ack (not flushed).</summary>
    public void WriteAck(ulong through) => FrameEncoder.WriteAck(_pipe.Output, through);

    /// <summary>Flushes what was written.</summary>
    public async Task FlushAsync() => await _pipe.Output.FlushAsync().ConfigureAwait(false);

    /// <summary>Closes this side.</summary>
    public async Task CloseAsync() => await _pipe.Output.CompleteAsync().ConfigureAwait(false);

    /// <summary>The next frame from the host, or null when the host closed the connection; throws after the step timeout.</summary>
    public async Task<ConversationFrame?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Step);
        var input = _pipe.Input;
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = FrameDecoder.TryRead(ref buffer, out var frame, out var error);
            if (status == FrameReadStatus.Frame)
            {
                input.AdvanceTo(buffer.Start);
                return frame;
            }

            if (status == FrameReadStatus.Malformed)
            {
                throw new InvalidDataException("The host sent a malformed frame: " + error);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads Acks until one reaches <paramref name="through"/>; throws on anything else.</summary>
    public async Task<ulong> ReadAckThroughAsync(ulong through)
    {
        while (true)
        {
            var frame = await ReadFrameAsync().ConfigureAwait(false);
            if (frame is not AckFrame ack)
            {
                throw new InvalidDataException($"Expected an Ack, got {frame?.Type.ToString() ?? "the end"}.");
            }

            if (ack.Through >= through)
            {
                return ack.Through;
            }
        }
    }
}
