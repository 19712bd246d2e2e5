using System.Threading.Channels;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Testing;

/// <summary>A circuit handler that records the relay messages reaching it (by hop), counts them, and records the close.</summary>
public sealed class RecordingHandler : ICircuitHandler
{
    private int _count;

    /// <summary>Every relay message that parsed, in order: the hop it came from, its command and its data.</summary>
    public Channel<(int Hop, RelayCommand Command, byte[] Data)> Messages { get; } =
        Channel.CreateUnbounded<(int, RelayCommand, byte[])>();

    /// <summary>How many relay messages reached it, parsed or not.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Completes with the reason once the circuit has closed.</summary>
    public TaskCompletionSource<CircuitCloseReason> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What to answer for a recorded message (true by default): false or an exception closes the circuit.</summary>
    public Func<CircuitReactor, int, RelayCommand, bool>? OnMessage { get; set; }

    /// <inheritdoc/>
    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hop, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        Interlocked.Increment(ref _count);
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        Messages.Writer.TryWrite((hop.Value, view.Command, view.Data.ToArray()));
        return OnMessage?.Invoke(circuit, hop.Value, view.Command) ?? true;
    }

    /// <inheritdoc/>
    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => Closed.TrySetResult(reason);
}
