using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Something on an originator's circuit waiting for a relay message that is not a stream's: the answer to a request, an
/// EXTENDED2, a RENDEZVOUS2. Registered on the circuit's reactor before the message can arrive; a message nobody waits
/// for closes the circuit. Completed, failed or abandoned once.
/// </summary>
internal abstract class MessageWaiter(HopIndex hop, RelayCommandSet commands, CircuitStep step)
{
    private int _done;

    public HopIndex Hop => hop;

    /// <summary>The step the caller is at, for the error when the circuit closes first.</summary>
    public CircuitStep Step => step;

    /// <summary>The hop an error names: the one answering, or the one being added.</summary>
    public virtual HopIndex ErrorHop => hop;

    /// <summary>The caller stopped waiting: a late answer is taken and dropped rather than closing the circuit.</summary>
    public bool IsAbandoned { get; private set; }

    public bool Matches(HopIndex from, RelayCommand command) => from == hop && commands.Contains(command);

    /// <summary>Reactor: the awaited message. False when it breaks the protocol (the circuit then closes).</summary>
    public bool Deliver(ClientCircuitReactor reactor, RelayCommand command, ReadOnlySpan<byte> data) =>
        IsAbandoned || !TryClaim() || Complete(reactor, command, data);

    /// <summary>The circuit closed first.</summary>
    public void Fail(CircuitException error)
    {
        if (TryClaim())
        {
            OnFailed(error);
        }
    }

    /// <summary>The caller stopped waiting.</summary>
    public void Abandon()
    {
        IsAbandoned = true;
        if (TryClaim())
        {
            OnAbandoned();
        }
    }

    protected abstract bool Complete(ClientCircuitReactor reactor, RelayCommand command, ReadOnlySpan<byte> data);

    protected abstract void OnFailed(CircuitException error);

    protected abstract void OnAbandoned();

    private bool TryClaim() => Interlocked.Exchange(ref _done, 1) == 0;
}

/// <summary>Waits for one reply and hands a copy of it to the caller.</summary>
internal sealed class ReplyWaiter(HopIndex hop, RelayCommandSet commands) : MessageWaiter(hop, commands, CircuitStep.Receive)
{
    private readonly TaskCompletionSource<RelayMessageReceived> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RelayMessageReceived> Reply => _reply.Task;

    protected override bool Complete(ClientCircuitReactor reactor, RelayCommand command, ReadOnlySpan<byte> data)
    {
        _reply.TrySetResult(new RelayMessageReceived(Hop, command, data.ToArray()));
        return true;
    }

    protected override void OnFailed(CircuitException error) => _reply.TrySetException(error);

    protected override void OnAbandoned() => _reply.TrySetCanceled();
}

/// <summary>
/// Waits for a message that adds a hop, and adds it on the reactor before any later cell is read: EXTENDED2 (the next
/// relay's ntor v3 reply) or RENDEZVOUS2 (the host's hs_ntor reply, which makes the end-to-end hop). Cells from the new
/// hop can follow the message at once, so the hop must be in place when the reactor reads the next one. Owns
/// <paramref name="owned"/> (the handshake state) and disposes it whatever happens.
/// </summary>
internal sealed class HopWaiter(HopIndex from, RelayCommand command, CircuitStep step, HopLayerFactory finish, IDisposable? owned = null)
    : MessageWaiter(from, RelayCommandSet.Of(command), step)
{
    private readonly TaskCompletionSource<HopIndex> _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<HopIndex> Added => _added.Task;

    /// <summary>The hop being added.</summary>
    public override HopIndex ErrorHop => Hop.Next;

    protected override bool Complete(ClientCircuitReactor reactor, RelayCommand command, ReadOnlySpan<byte> data)
    {
        var added = new HopIndex((byte)reactor.Hops);
        CgoClientHop? hop;
        try
        {
            hop = finish(data);
        }
        finally
        {
            owned?.Dispose();
        }

        if (hop is null)
        {
            _added.TrySetException(new CircuitException(Step, CircuitFailure.HandshakeFailed, added));
            return false;
        }

        if (!reactor.AddHopOnReactor(hop))
        {
            _added.TrySetException(new CircuitException(Step, CircuitFailure.CannotExtend, added));
            return false;
        }

        _added.TrySetResult(added);
        return true;
    }

    protected override void OnFailed(CircuitException error)
    {
        owned?.Dispose();
        _added.TrySetException(error);
    }

    protected override void OnAbandoned()
    {
        owned?.Dispose();
        _added.TrySetCanceled();
    }
}
