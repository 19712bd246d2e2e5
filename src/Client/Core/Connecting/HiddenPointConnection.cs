using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;

namespace HiddenPoint.Client.Connecting;

/// <summary>
/// A connection to a hidden point: the client's rendezvous circuit joined to the host's, with the end-to-end hop on
/// top. Streams opened on it reach the host's <c>IncomingHiddenPointConnection</c>. Owns the circuit; disposing closes it.
/// </summary>
public sealed class HiddenPointConnection : IAsyncDisposable
{
    internal HiddenPointConnection(ClientCircuit circuit, HopIndex endToEndHop, ReadOnlyMemory<byte> channelBinding)
    {
        Circuit = circuit;
        EndToEndHop = endToEndHop;
        ChannelBinding = channelBinding;
    }

    /// <summary>The joined circuit (client side).</summary>
    public ClientCircuit Circuit { get; }

    /// <summary>The end-to-end hop: the host.</summary>
    public HopIndex EndToEndHop { get; }

    /// <summary>
    /// 32 bytes that this connection's two ends alone know, fresh for every rendezvous (read from the hs_ntor key
    /// stream after the end-to-end hop's keys; docs/client.md). Protocols above sign it to tie a proof to this connection.
    /// </summary>
    public ReadOnlyMemory<byte> ChannelBinding { get; }

    /// <summary>Completes when the circuit has closed.</summary>
    public Task<CircuitCloseReason> Completion => Circuit.Completion;

    /// <summary>
    /// Opens a stream to the host's <paramref name="virtualPort"/>: a duplex pipe (<see cref="CircuitStream.AsStream"/>
    /// for a <see cref="Stream"/>), windowed end to end.
    /// </summary>
    /// <exception cref="CircuitException">The host refused the stream (END), or the circuit closed.</exception>
    public Task<CircuitStream> OpenStreamAsync(ushort virtualPort, CancellationToken cancellationToken = default) =>
        Circuit.OpenStreamAsync(EndToEndHop, virtualPort, cancellationToken);

    /// <summary>Closes the circuit and with it every stream.</summary>
    public Task CloseAsync() => Circuit.CloseAsync();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Circuit.DisposeAsync();
}
