using System.IO.Pipelines;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// The Hello exchange at the start of a connection. Reads exactly one frame and consumes only its bytes, so anything
/// the peer sent after it stays in the pipe for the connection's read loop.
/// </summary>
internal static class ConversationHandshake
{
    /// <summary>The connecting side: sends Hello, returns the host's answer (or null when it broke the protocol).</summary>
    public static async Task<ConversationFrame?> ConnectAsync(
        ConversationTransport transport, HiddenPointIdentitySecretKey identity, CancellationToken cancellationToken)
    {
        var signature = HelloProof.Sign(identity, transport.ChannelBinding.Span);
        FrameEncoder.WriteHello(transport.Pipe.Output, identity.PublicKey, signature);
        await transport.Pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var (frame, _) = await ReadOneAsync(transport.Pipe.Input, cancellationToken).ConfigureAwait(false);
        return frame is HelloAcceptedFrame or RefusedFrame ? frame : null;
    }

    /// <summary>Reads one frame; null and the decode error when the bytes are not one or the stream ends first.</summary>
    public static async Task<(ConversationFrame? Frame, DecodeError Error)> ReadOneAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = FrameDecoder.TryRead(ref buffer, out var frame, out var error);
            if (status == FrameReadStatus.Frame)
            {
                input.AdvanceTo(buffer.Start);
                return (frame, default);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (status == FrameReadStatus.Malformed)
            {
                return (null, error);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return (null, new DecodeError(DecodeErrorKind.Truncated, (int)buffer.Length, "stream ended before a whole frame"));
            }
        }
    }
}
