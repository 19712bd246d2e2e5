using System.Buffers;
using System.Threading.Channels;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Client.HiddenPoints;

/// <summary>
/// The two HSDir requests of docs/protocol.md §6 over one directory stream to a circuit's last hop: DESCRIPTOR_STORE
/// (the descriptor follows as DATA, then the HSDir's DIRECTORY_RESPONSE) and DESCRIPTOR_FETCH (DIRECTORY_RESPONSE, then
/// the descriptor as DATA). The caller bounds the time with its cancellation token.
/// </summary>
internal static class HsDirRequests
{
    /// <summary>Uploads <paramref name="descriptor"/> for <paramref name="blindedKey"/>; the HSDir's status.</summary>
    /// <exception cref="CircuitException">The circuit closed, or the HSDir ended the stream without a status.</exception>
    public static async Task<DirectoryStatus> StoreAsync(
        ClientCircuit circuit, BlindedPublicKey blindedKey, ReadOnlyMemory<byte> descriptor, CancellationToken cancellationToken)
    {
        var request = new DescriptorStoreMessage(blindedKey.Bytes, descriptor.Length);
        await using var stream = await circuit.OpenDirectoryStreamAsync(circuit.LastHop, request, cancellationToken).ConfigureAwait(false);
        await stream.Output.WriteAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await stream.Output.CompleteAsync().ConfigureAwait(false);
        var response = await ReceiveResponseAsync(circuit, stream, cancellationToken).ConfigureAwait(false);
        return response.Status;
    }

    /// <summary>
    /// Fetches the descriptor of <paramref name="blindedKey"/>: the HSDir's status, and the document when it is
    /// <see cref="DirectoryStatus.Ok"/>. A declared length over the descriptor limit is refused before anything is read.
    /// </summary>
    /// <exception cref="CircuitException">The circuit closed, or the stream ended before the whole answer.</exception>
    public static async Task<(DirectoryStatus Status, byte[]? Document)> FetchAsync(
        ClientCircuit circuit, BlindedPublicKey blindedKey, CancellationToken cancellationToken)
    {
        await using var stream = await circuit.OpenDirectoryStreamAsync(circuit.LastHop, new DescriptorFetchMessage(blindedKey.Bytes), cancellationToken)
            .ConfigureAwait(false);
        var response = await ReceiveResponseAsync(circuit, stream, cancellationToken).ConfigureAwait(false);
        if (response.Status != DirectoryStatus.Ok)
        {
            return (response.Status, null);
        }

        if (response.BodyLength is <= 0 or > HsDescriptorFormat.MaxSize)
        {
            // Nothing is buffered for a length no descriptor can have.
            return (DirectoryStatus.TooLarge, null);
        }

        var document = new byte[response.BodyLength];
        var received = 0;
        while (received < document.Length)
        {
            var read = await stream.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var take = (int)Math.Min(read.Buffer.Length, document.Length - received);
            read.Buffer.Slice(0, take).CopyTo(document.AsSpan(received));
            received += take;
            stream.Input.AdvanceTo(read.Buffer.GetPosition(take));
            if (received < document.Length && (read.IsCompleted || read.IsCanceled))
            {
                throw new CircuitException(CircuitStep.Receive, CircuitFailure.Closed, circuit.LastHop);
            }
        }

        return (DirectoryStatus.Ok, document);
    }

    private static async Task<DirectoryResponseMessage> ReceiveResponseAsync(
        ClientCircuit circuit, Network.Streams.CircuitStream stream, CancellationToken cancellationToken)
    {
        RelayMessageReceived received;
        try
        {
            received = await stream.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The HSDir ended the stream (END) or the circuit closed before any status came.
            throw new CircuitException(CircuitStep.Receive, CircuitFailure.Closed, circuit.LastHop);
        }

        if (!received.TryDecode<DirectoryResponseMessage>(out var response, out _))
        {
            throw new CircuitException(CircuitStep.Receive, CircuitFailure.ProtocolViolation, circuit.LastHop);
        }

        return response;
    }
}
