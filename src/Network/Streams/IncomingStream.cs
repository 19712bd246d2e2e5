using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// A stream the far end asked for with BEGIN, waiting to be accepted (CONNECTED) or refused (END). DATA the far end
/// sends meanwhile waits in the stream, within its window.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A circuit's stream in Tor's sense, not a System.IO.Stream.")]
public sealed class IncomingStream
{
    private readonly ClientCircuitReactor _reactor;
    private int _answered;

    internal IncomingStream(ClientCircuitReactor reactor, CircuitStream stream, ushort virtualPort)
    {
        _reactor = reactor;
        Stream = stream;
        VirtualPort = virtualPort;
    }

    /// <summary>The virtual port BEGIN named: which service of the hidden point the far end wants.</summary>
    public ushort VirtualPort { get; }

    private CircuitStream Stream { get; }

    /// <summary>Accepts: CONNECTED goes to the far end, and the stream is open both ways.</summary>
    /// <exception cref="InvalidOperationException">Answered already.</exception>
    /// <exception cref="CircuitException">The stream or its circuit has ended meanwhile.</exception>
    public async Task<CircuitStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        Answer();
        if (!Stream.MarkAccepted())
        {
            throw new CircuitException(CircuitStep.OpenStream, CircuitFailure.Closed, Stream.Hop, streamEndReason: EndReason.Destroy);
        }

        var cell = _reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, new ConnectedMessage(), Stream.Id, RandomPaddingSource.Instance);
        if (await _reactor.SendAsync(Stream.Hop, cell, cancellationToken: cancellationToken).ConfigureAwait(false) != CircuitSendResult.Queued)
        {
            throw new CircuitException(CircuitStep.OpenStream, CircuitFailure.Closed, Stream.Hop);
        }

        Stream.StartSending();
        return Stream;
    }

    /// <summary>Refuses: END with <paramref name="reason"/> goes to the far end.</summary>
    /// <exception cref="InvalidOperationException">Answered already.</exception>
    public void Reject(EndReason reason = EndReason.ConnectRefused)
    {
        Answer();
        Stream.Abort(reason);
    }

    private void Answer()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException("The stream was accepted or refused already.");
        }
    }
}
