using System.Threading.Channels;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Takes every message of some commands from one hop (a host's INTRODUCE2s) into a bounded channel. When the reader
/// falls behind, further messages are dropped and counted rather than queued.
/// </summary>
internal sealed class MessageListener(HopIndex hop, RelayCommandSet commands, int capacity)
{
    private readonly Channel<RelayMessageReceived> _messages = Channel.CreateBounded<RelayMessageReceived>(
        new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<RelayMessageReceived> Reader => _messages.Reader;

    /// <summary>Messages dropped because the reader was behind.</summary>
    public long Dropped { get; private set; }

    public bool Matches(HopIndex from, RelayCommand command) => from == hop && commands.Contains(command);

    public void Offer(RelayCommand command, ReadOnlySpan<byte> data)
    {
        if (!_messages.Writer.TryWrite(new RelayMessageReceived(hop, command, data.ToArray())))
        {
            Dropped++;
        }
    }

    public void Complete(Exception? error) => _messages.Writer.TryComplete(error);
}
