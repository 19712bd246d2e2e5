using HiddenPoint.Network.Streams;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Where the relay messages of an originator's circuit go, on its reactor: stream messages to the stream map; any other
/// message to the first waiter or listener that expects it from that hop; DROP nowhere. A message nothing expects
/// (an EXTENDED2 nobody asked for, an INTRODUCE2 on a circuit that is no introduction circuit) breaks the protocol and
/// closes the circuit. When the circuit closes, every waiter fails, every listener and stream ends, and the circuit's
/// binding keys are wiped.
/// </summary>
internal sealed class ClientCircuitDispatcher : ICircuitHandler
{
    private readonly List<MessageWaiter> _waiters = [];
    private readonly List<MessageListener> _listeners = [];
    private readonly Action<CircuitCloseReason> _onClosed;
    private CircuitStreamMap? _streams;
    private ClientCircuitReactor? _reactor;

    public ClientCircuitDispatcher(Action<CircuitCloseReason> onClosed) => _onClosed = onClosed;

    public CircuitStreamMap Streams => _streams!;

    /// <summary>Called once, before the reactor starts.</summary>
    public void Attach(ClientCircuitReactor reactor)
    {
        _reactor = reactor;
        _streams = new CircuitStreamMap(reactor, reactor.Options.MaxStreams);
    }

    /// <summary>Reactor: from now on <paramref name="waiter"/> takes the first message it matches.</summary>
    public void Add(MessageWaiter waiter) => _waiters.Add(waiter);

    /// <summary>Reactor: from now on <paramref name="listener"/> takes every message it matches.</summary>
    public void Add(MessageListener listener) => _listeners.Add(listener);

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hop, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        var command = view.Command;
        if (command == RelayCommand.Drop)
        {
            return true;
        }

        if (RelayCommands.CarriesStreamId(command))
        {
            return _streams!.OnMessage(hop, command, view.StreamId, view.Data);
        }

        for (var i = 0; i < _waiters.Count; i++)
        {
            var waiter = _waiters[i];
            if (waiter.Matches(hop, command))
            {
                _waiters.RemoveAt(i);
                return waiter.Deliver(_reactor!, command, view.Data);
            }
        }

        foreach (var listener in _listeners)
        {
            if (listener.Matches(hop, command))
            {
                listener.Offer(command, view.Data);
                return true;
            }
        }

        return false;
    }

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason)
    {
        var closed = new CircuitException(CircuitStep.Receive, CircuitFailure.Closed, closeReason: reason);
        foreach (var waiter in _waiters)
        {
            waiter.Fail(new CircuitException(waiter.Step, CircuitFailure.Closed, waiter.ErrorHop, reason));
        }

        _waiters.Clear();
        foreach (var listener in _listeners)
        {
            listener.Complete(closed);
        }

        _listeners.Clear();
        _streams?.CloseAll(reason);
        _onClosed(reason);
    }
}
