using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Circuits;

/// <summary>The answer to a CREATE2 this side sent.</summary>
/// <param name="Created2">The CREATED2 cell, owned by the receiver (return it to the link's pool), when
/// <see cref="Failure"/> is <see cref="CircuitCloseReason.None"/>.</param>
/// <param name="Failure">Why no circuit came of it: <see cref="CircuitCloseReason.DestroyedByPeer"/> or
/// <see cref="CircuitCloseReason.LinkClosed"/>.</param>
/// <param name="DestroyReason">The peer's reason, when it answered with DESTROY.</param>
public readonly record struct CircuitCreateResponse(CellBuffer Created2, CircuitCloseReason Failure, DestroyReason DestroyReason);

/// <summary>
/// A circuit id this side allocated on a link for a CREATE2 it is about to send, until the answer comes. Send the
/// CREATE2 with <see cref="Id"/>, await <see cref="Response"/>, then open a circuit on it
/// (<see cref="Link.OpenClientCircuit"/>, <see cref="RelayCircuit.AttachOutward"/>) or give it up with
/// <see cref="Link.AbandonAsync"/>.
/// </summary>
public sealed class PendingCircuit
{
    private readonly TaskCompletionSource<CircuitCreateResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PendingCircuit(Link link) => Link = link;

    /// <summary>The link the id belongs to.</summary>
    public Link Link { get; }

    /// <summary>The id allocated (with this link side's top bit).</summary>
    public CircuitId Id { get; internal set; }

    /// <summary>Completes with CREATED2, or with the reason there will be none.</summary>
    public Task<CircuitCreateResponse> Response => _response.Task;

    internal bool TryComplete(CircuitCreateResponse response) => _response.TrySetResult(response);
}
