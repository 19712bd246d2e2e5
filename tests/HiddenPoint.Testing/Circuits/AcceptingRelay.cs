using System.Threading.Channels;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Testing;

/// <summary>
/// A relay's link handler for tests below the relay engine: takes the CREATE2 handshake data as the CGO key material
/// (see <see cref="KeyMaterialCircuits"/>, standing in for ntor v3) and accepts every circuit, each with a handler from
/// <c>handlers</c> or, by default, a <see cref="RecordingHandler"/>.
/// </summary>
public sealed class AcceptingRelay(Func<ICircuitHandler>? handlers = null) : ILinkHandler
{
    private readonly List<RecordingHandler> _recording = [];
    private readonly List<RelayCircuit> _circuits = [];
    private readonly Dictionary<RelayCircuit, RecordingHandler> _byCircuit = [];

    /// <summary>Every circuit accepted, in order.</summary>
    public Channel<RelayCircuit> Accepted { get; } = Channel.CreateUnbounded<RelayCircuit>();

    /// <summary>The recording handlers made so far (none when <c>handlers</c> makes them), in the order of the CREATE2s.</summary>
    public IReadOnlyList<RecordingHandler> Handlers
    {
        get
        {
            lock (_recording)
            {
                return [.. _recording];
            }
        }
    }

    /// <summary>Every circuit accepted so far, as a list of its own (what a relay's circuit census asks for).</summary>
    public List<RelayCircuit> Snapshot()
    {
        lock (_recording)
        {
            return [.. _circuits];
        }
    }

    /// <summary>The recording handler of <paramref name="circuit"/>.</summary>
    public RecordingHandler HandlerOf(RelayCircuit circuit)
    {
        lock (_recording)
        {
            return _byCircuit[circuit];
        }
    }

    /// <inheritdoc/>
    public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (!Create2Body.TryDecode(create2.Body, out var body, out var error))
        {
            throw new InvalidOperationException($"The test client's CREATE2 did not decode: {error}.");
        }

        var hop = new CgoRelayHop(body.HandshakeData);
        link.Pool.Return(create2);
        var created = link.Pool.Rent();
        new Created2Body([]).Encode(created.Body);
        RecordingHandler? recording = null;
        ICircuitHandler handler;
        if (handlers is null)
        {
            recording = new RecordingHandler();
            lock (_recording)
            {
                _recording.Add(recording);
            }

            handler = recording;
        }
        else
        {
            handler = handlers();
        }

        var circuit = link.AcceptRelayCircuit(circuitId, hop, created, handler);
        if (circuit is not null)
        {
            lock (_recording)
            {
                _circuits.Add(circuit);
                if (recording is not null)
                {
                    _byCircuit[circuit] = recording;
                }
            }

            Accepted.Writer.TryWrite(circuit);
        }
    }
}
