using System.Threading.Channels;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// A client joined to the hosted hidden point: the host's circuit to the rendezvous point with the end-to-end hop on
/// top, and the streams the client opens on it. The connection owns the circuit; disposing it closes the circuit.
/// </summary>
public sealed class IncomingHiddenPointConnection : IAsyncDisposable
{
    internal IncomingHiddenPointConnection(ClientCircuit circuit, HopIndex endToEndHop, ReadOnlyMemory<byte> channelBinding, ChannelReader<IncomingStream> streams)
    {
        Circuit = circuit;
        EndToEndHop = endToEndHop;
        ChannelBinding = channelBinding;
        IncomingStreams = streams;
    }

    /// <summary>The joined circuit (host side).</summary>
    public ClientCircuit Circuit { get; }

    /// <summary>The end-to-end hop, the client's end of the circuit.</summary>
    public HopIndex EndToEndHop { get; }

    /// <summary>The connection's channel binding, the same 32 bytes the client's <c>HiddenPointConnection.ChannelBinding</c> holds.</summary>
    public ReadOnlyMemory<byte> ChannelBinding { get; }

    /// <summary>The client's BEGINs, each to be accepted or refused (by virtual port); ends when the circuit closes.</summary>
    public ChannelReader<IncomingStream> IncomingStreams { get; }

    /// <summary>Completes when the circuit has closed.</summary>
    public Task<CircuitCloseReason> Completion => Circuit.Completion;

    /// <summary>Accepts the client's next stream, whatever its port: a duplex pipe (<see cref="CircuitStream.AsStream"/> for a <see cref="Stream"/>).</summary>
    /// <exception cref="ChannelClosedException">The circuit closed first.</exception>
    public async Task<CircuitStream> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        var incoming = await IncomingStreams.ReadAsync(cancellationToken).ConfigureAwait(false);
        return await incoming.AcceptAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the circuit and with it every stream.</summary>
    public Task CloseAsync() => Circuit.CloseAsync();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Circuit.DisposeAsync();
}
