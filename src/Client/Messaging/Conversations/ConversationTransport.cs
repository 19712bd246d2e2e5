using System.IO.Pipelines;
using HiddenPoint.Client.Messaging.Protocol;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// One connection as the engine sees it: a duplex byte stream (a hidden-point connection's stream) and the 32-byte
/// channel binding both ends derive from that connection's rendezvous handshake, which the Hello's proof signs.
/// </summary>
public sealed class ConversationTransport
{
    /// <summary>Wraps a connection.</summary>
    /// <param name="pipe">The stream; the engine completes both halves when it is done with it.</param>
    /// <param name="channelBinding">32 bytes unique to this connection and known to both ends.</param>
    /// <param name="owner">Disposed after the pipe is completed (the stream or connection object), if any.</param>
    public ConversationTransport(IDuplexPipe pipe, ReadOnlyMemory<byte> channelBinding, IAsyncDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        if (channelBinding.Length != ConversationLimits.ChannelBindingLength)
        {
            throw new ArgumentException($"A channel binding is {ConversationLimits.ChannelBindingLength} bytes.", nameof(channelBinding));
        }

        Pipe = pipe;
        ChannelBinding = channelBinding.ToArray();
        Owner = owner;
    }

    /// <summary>The stream.</summary>
    public IDuplexPipe Pipe { get; }

    /// <summary>The channel binding.</summary>
    public ReadOnlyMemory<byte> ChannelBinding { get; }

    /// <summary>What to dispose after the pipe, if anything.</summary>
    public IAsyncDisposable? Owner { get; }
}
