using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;

namespace HiddenPoint.Testing;

/// <summary>
/// A relay role that answers every message it is given: a DIRECTORY_REQUEST gets a DIRECTORY_RESPONSE(NotFound) on the
/// same stream, sent back through the circuit; everything else is counted and accepted.
/// </summary>
public sealed class AnsweringRole : IRelayMessageRole
{
    private int _messages;
    private int _closed;

    /// <summary>Messages given to it so far.</summary>
    public int Messages => Volatile.Read(ref _messages);

    /// <summary>Circuits it was told had closed.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <inheritdoc/>
    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        Interlocked.Increment(ref _messages);
        if (cell.Command == RelayCommand.DirectoryRequest)
        {
            var reply = circuit.Circuit.Pool.Rent();
            RelayCell.Encode(reply.Body, RelayCommand.DirectoryResponse, cell.StreamId, [1, 0, 0, 0, 0], RandomPaddingSource.Instance);
            _ = circuit.Circuit.SendAsync(reply).AsTask();
        }

        return true;
    }

    /// <inheritdoc/>
    public void OnCircuitClosed(RelayCircuitContext circuit) => Interlocked.Increment(ref _closed);
}
