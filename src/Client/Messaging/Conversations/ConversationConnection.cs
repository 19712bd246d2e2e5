using System.IO.Pipelines;
using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Protocol;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// One connection of a conversation after its Hello. Its read loop owns the input half: it decodes frames and posts
/// them to the conversation, never touching conversation state. The output half and every other field belong to the
/// conversation's loop.
/// </summary>
internal sealed class ConversationConnection(long number, ConversationTransport transport, bool outgoing)
{
    private int _unhandled;

    public long Number { get; } = number;

    public bool Outgoing { get; } = outgoing;

    public PipeWriter Output => transport.Pipe.Output;

    public PipeReader Input => transport.Pipe.Input;

    // The fields below belong to the conversation's loop.
    public bool Dirty { get; set; }

    public bool NeedsAck { get; set; }

    /// <summary>The highest sequence written on this connection.</summary>
    public ulong WrittenThrough { get; set; }

    public bool Ended { get; set; }

    /// <summary>
    /// For an incoming connection taken while this side's own dial was in flight, that dial's number (the two may have
    /// crossed); otherwise 0.
    /// </summary>
    public long ArrivedDuringDial { get; set; }

    public ITimer? GraceTimer { get; set; }

    /// <summary>When the contact last sent a Message on this connection (a <see cref="TimeProvider"/> timestamp; 0: never).</summary>
    public long LastMessageAt { get; set; }

    /// <summary>Called by the conversation for each frame it took from this connection.</summary>
    public void FrameHandled() => Interlocked.Decrement(ref _unhandled);

    /// <summary>Reads frames until the stream ends, fails, or carries something invalid; then reports the end.</summary>
    public async Task ReadAsync(ChannelWriter<ConversationCommand> inbox, int maxUnhandled, ILogger logger)
    {
        var reason = ConnectionEndReason.ClosedByPeer;
        try
        {
            while (true)
            {
                var result = await Input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var status = FrameDecoder.TryRead(ref buffer, out var frame, out var error);
                        if (status == FrameReadStatus.NeedMore)
                        {
                            break;
                        }

                        if (status == FrameReadStatus.Malformed)
                        {
                            MessagingLog.FrameMalformed(logger, Number, error.Kind, error.Offset);
                            reason = ConnectionEndReason.Malformed;
                            return;
                        }

                        if (Interlocked.Increment(ref _unhandled) > maxUnhandled)
                        {
                            reason = ConnectionEndReason.Flooded;
                            return;
                        }

                        inbox.TryWrite(new FrameArrived(this, frame!));
                    }

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        reason = result.IsCanceled ? ConnectionEndReason.Stopped : ConnectionEndReason.ClosedByPeer;
                        return;
                    }
                }
                finally
                {
                    Input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
#pragma warning disable CA1031 // Whatever the stream throws ends this connection only; the conversation goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            reason = ConnectionEndReason.Faulted;
        }
        finally
        {
            await Input.CompleteAsync().ConfigureAwait(false);
            inbox.TryWrite(new ConnectionEnded(this, reason));
        }
    }

    /// <summary>
    /// Closes the output half and the input half (through the read loop when it runs, since it owns the input); then
    /// disposes the owner.
    /// </summary>
    public async ValueTask CloseAsync(bool readLoopRunning)
    {
        GraceTimer?.Dispose();
        try
        {
            await Output.CompleteAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A stream that already failed may throw on completion; it is being dropped anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (readLoopRunning)
        {
            Input.CancelPendingRead();
        }
        else
        {
            await Input.CompleteAsync().ConfigureAwait(false);
        }

        if (transport.Owner is { } owner)
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
