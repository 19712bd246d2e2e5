using System.Threading.Channels;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Testing;

/// <summary>
/// A circuit a <see cref="RawCircuitDriver"/> built by hand: the reactor under it, the binding keys (KH) it derived hop
/// by hop, and every relay message that arrived, by hop. Anything may be sent on it, to any hop.
/// </summary>
internal sealed class RawCircuit : ICircuitHandler
{
    /// <summary>The circuit's reactor.</summary>
    public ClientCircuitReactor Circuit { get; set; } = null!;

    /// <summary>The circuit's id on its link (for cells written by hand, past the circuit's crypto).</summary>
    public CircuitId Id { get; set; }

    /// <summary>Hops joined so far (kept here: the reactor's own count moves on its reactor).</summary>
    public int Hops { get; set; }

    /// <summary>KH of each hop, as the client derived it.</summary>
    public List<byte[]> BindingKeys { get; } = [];

    /// <summary>Every relay message that parsed, in order; completed when the circuit closes.</summary>
    public Channel<(int Hop, RelayCommand Command, byte[] Data)> Messages { get; } =
        Channel.CreateUnbounded<(int, RelayCommand, byte[])>();

    /// <inheritdoc/>
    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hop, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        Messages.Writer.TryWrite((hop.Value, view.Command, view.Data.ToArray()));
        return true;
    }

    /// <inheritdoc/>
    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => Messages.Writer.TryComplete();

    /// <summary>The next message (waiting at most <see cref="TestTimeouts.Step"/>), or null when the circuit closed first.</summary>
    public async Task<(int Hop, RelayCommand Command, byte[] Data)?> NextAsync()
    {
        try
        {
            return await Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="command"/> with <paramref name="data"/> as they are to hop <paramref name="hop"/> (0 is the first).</summary>
    public Task<CircuitSendResult> SendAsync(int hop, RelayCommand command, ReadOnlySpan<byte> data, StreamId stream = default, bool relayEarly = false)
    {
        var cell = Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, command, stream, data, RandomPaddingSource.Instance);
        return Circuit.SendAsync(new HopIndex((byte)hop), cell, relayEarly).AsTask();
    }
}
