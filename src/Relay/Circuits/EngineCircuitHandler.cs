using System.Security.Cryptography;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// The engine's handler of one circuit it accepted: parses the relay messages for this relay, answers EXTEND2, hands
/// hidden-point and directory commands to their role, ignores DROP, and refuses anything else (the circuit closes).
/// Runs on the circuit's reactor, except <see cref="EnsureContext"/>, which the handshake worker also calls once.
/// </summary>
internal sealed class EngineCircuitHandler : ICircuitHandler
{
    private const int SawIntroduction = 1;
    private const int SawRendezvous = 2;
    private const int SawDirectory = 4;

    private readonly RelayEngine _engine;
    private readonly byte[] _bindingKey;
    private readonly Link _link;
    private readonly EngineLink? _blamed;
    private RelayCircuitContext? _context;
    private int _rolesSeen;
    private bool _extendRequested;
    private volatile bool _closed;

    /// <summary>
    /// The handler of a circuit accepted on <paramref name="link"/>; <paramref name="blamed"/> is the link's engine
    /// handler when its violations count against it (a client's link), null for a listed relay's.
    /// </summary>
    public EngineCircuitHandler(RelayEngine engine, ReadOnlySpan<byte> bindingKey, Link link, EngineLink? blamed)
    {
        _engine = engine;
        _bindingKey = bindingKey.ToArray();
        _link = link;
        _blamed = blamed;
    }

    /// <summary>True once the circuit has closed (set before the engine forgets it).</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// The circuit's context, made on first use: by the worker right after the CREATED2, or by the reactor if a cell
    /// (or the close) comes first. Both get the same instance; the handler's copy of KH is wiped once it is made.
    /// </summary>
    public RelayCircuitContext EnsureContext(RelayCircuit circuit)
    {
        var existing = Volatile.Read(ref _context);
        if (existing is not null)
        {
            return existing;
        }

        var fresh = new RelayCircuitContext(circuit, _bindingKey);
        var winner = Interlocked.CompareExchange(ref _context, fresh, null);
        if (winner is not null)
        {
            fresh.Clear();
            return winner;
        }

        CryptographicOperations.ZeroMemory(_bindingKey);
        return fresh;
    }

    /// <summary>Wipes KH when the circuit never opened.</summary>
    public void Abandon() => CryptographicOperations.ZeroMemory(_bindingKey);

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        var context = EnsureContext((RelayCircuit)circuit);
        _engine.Metrics.CellForRelay();
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        var command = view.Command;
        if (command == RelayCommand.Drop)
        {
            return true;
        }

        if (command == RelayCommand.Extend2)
        {
            return OnExtend2(context, cellCommand, view);
        }

        if (RelayMessageRouting.IntroductionPoint.Contains(command))
        {
            _rolesSeen |= SawIntroduction;
            return _engine.Introduction.OnMessage(context, view);
        }

        if (RelayMessageRouting.RendezvousPoint.Contains(command))
        {
            _rolesSeen |= SawRendezvous;
            return _engine.Rendezvous.OnMessage(context, view);
        }

        if (RelayMessageRouting.DirectoryStreams.Contains(command))
        {
            _rolesSeen |= SawDirectory;
            return _engine.Directory.OnMessage(context, view);
        }

        return false;
    }

    /// <summary>Before DESTROY goes out: a violation is counted against the link (which may be aborted at once).</summary>
    public void OnClosing(CircuitReactor circuit, CircuitCloseReason reason) => _engine.Violations.OnCircuitClosing(_blamed, _link, reason);

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason)
    {
        var context = EnsureContext((RelayCircuit)circuit);
        _closed = true;
        try
        {
            if ((_rolesSeen & SawIntroduction) != 0)
            {
                _engine.Introduction.OnCircuitClosed(context);
            }

            if ((_rolesSeen & SawRendezvous) != 0)
            {
                _engine.Rendezvous.OnCircuitClosed(context);
            }

            if ((_rolesSeen & SawDirectory) != 0)
            {
                _engine.Directory.OnCircuitClosed(context);
            }
        }
        finally
        {
            context.Clear();
            _engine.OnCircuitClosed(context);
        }
    }

    private bool OnExtend2(RelayCircuitContext context, CellCommand cellCommand, RelayCellView view)
    {
        // Only RELAY_EARLY may carry EXTEND2 (so that a hop count is bounded), only once, and only on a circuit that
        // no role has taken over.
        if (cellCommand != CellCommand.RelayEarly || _extendRequested || context.Purpose != RelayCircuitPurpose.None)
        {
            return false;
        }

        var reader = new WireReader(view.Data);
        if (!Extend2Message.TryDecode(ref reader, out var message, out _))
        {
            _engine.OnMalformedExtend();
            return false;
        }

        _extendRequested = true;
        context.Purpose = RelayCircuitPurpose.Extended;
        _engine.StartExtend(context, message);
        return true;
    }
}
