using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Network.Circuits;

namespace HiddenPoint.Relay.Circuits;

/// <summary>What a circuit this relay accepted is being used for; set by the role that takes it over.</summary>
public enum RelayCircuitPurpose
{
    /// <summary>Just created: it may be extended, or ask for a hidden-point role.</summary>
    None = 0,

    /// <summary>Extended to another relay: cells for this relay are only DROP, SENDME and directory streams.</summary>
    Extended,

    /// <summary>A hidden point's circuit to this introduction point (after ESTABLISH_INTRO).</summary>
    IntroductionPoint,

    /// <summary>A client's circuit waiting at this rendezvous point (after ESTABLISH_RENDEZVOUS).</summary>
    RendezvousWaiting,

    /// <summary>Joined to another circuit at this rendezvous point: cells pass between the two.</summary>
    RendezvousJoined,

    /// <summary>
    /// A client's circuit that sent its one INTRODUCE1 to this introduction point: it waits for INTRODUCE_ACK and may
    /// not be extended or used for anything else.
    /// </summary>
    Introducing,
}

/// <summary>
/// The relay's own state for one circuit it accepted (CREATE2). Created by the circuit engine when the handshake
/// completes and handed to every role that serves a message on it. Touched only on the circuit's reactor, one call at
/// a time, except where a member says otherwise.
/// </summary>
public sealed class RelayCircuitContext
{
    private readonly byte[] _bindingKey;

    /// <summary>Creates the context; <paramref name="bindingKey"/> is copied.</summary>
    public RelayCircuitContext(RelayCircuit circuit, ReadOnlySpan<byte> bindingKey)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (bindingKey.Length != CircuitKeySchedule.BindingKeyLength)
        {
            throw new ArgumentException($"The binding key is {CircuitKeySchedule.BindingKeyLength} bytes.", nameof(bindingKey));
        }

        Circuit = circuit;
        _bindingKey = bindingKey.ToArray();
    }

    /// <summary>The circuit (send towards the client with <see cref="RelayCircuit.SendAsync"/>).</summary>
    public RelayCircuit Circuit { get; }

    /// <summary>
    /// KH: the 32 bytes of the ntor v3 key stream that follow the CGO key material. Binds messages to this circuit's
    /// handshake (the ESTABLISH_INTRO MAC, rend-spec-v3 §3.1.1). Secret: never logged.
    /// </summary>
    public ReadOnlySpan<byte> BindingKey => _bindingKey;

    /// <summary>What the circuit is used for. Read from any thread; written on the circuit's reactor.</summary>
    public RelayCircuitPurpose Purpose { get; set; }

    /// <summary>Per-role state (an introduction point's registration, a directory stream table, …).</summary>
    public object? RoleState { get; set; }

    /// <summary>Wipes the binding key; called once when the circuit has closed.</summary>
    public void Clear() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(_bindingKey);
}
