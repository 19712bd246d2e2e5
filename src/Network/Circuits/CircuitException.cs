using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Circuits;

/// <summary>What an originator was doing with its circuit when it failed.</summary>
public enum CircuitStep
{
    /// <summary>Creating the first hop (CREATE2 → CREATED2).</summary>
    Create = 1,

    /// <summary>Extending by one hop (EXTEND2 → EXTENDED2).</summary>
    Extend,

    /// <summary>Sending a relay message.</summary>
    Send,

    /// <summary>Waiting for a relay message (a reply, or one that was asked for).</summary>
    Receive,

    /// <summary>Completing a rendezvous (RENDEZVOUS2 → the end-to-end hop).</summary>
    Rendezvous,

    /// <summary>Opening a stream (BEGIN → CONNECTED, or a directory request).</summary>
    OpenStream,
}

/// <summary>Why a circuit operation failed.</summary>
public enum CircuitFailure
{
    /// <summary>The circuit is closed, or closed while the operation waited; <see cref="CircuitException.CloseReason"/> says why.</summary>
    Closed = 1,

    /// <summary>The hop refused: it answered DESTROY (<see cref="CircuitException.DestroyReason"/>) instead of CREATED2.</summary>
    Refused,

    /// <summary>The link to the first hop could not take another circuit, or is closed.</summary>
    LinkUnavailable,

    /// <summary>The hop's handshake reply did not verify, or did not agree to CGO.</summary>
    HandshakeFailed,

    /// <summary>The hop answered with something other than the protocol allows at this step.</summary>
    ProtocolViolation,

    /// <summary>The circuit has no such hop (yet).</summary>
    NoSuchHop,

    /// <summary>The circuit cannot grow: it holds the most hops it may, it has used its RELAY_EARLY cells, or it already ends in an end-to-end hop.</summary>
    CannotExtend,

    /// <summary>The circuit holds the most streams it may.</summary>
    TooManyStreams,

    /// <summary>The far end refused the stream with END (<see cref="CircuitException.StreamEndReason"/>).</summary>
    StreamRefused,
}

/// <summary>
/// A circuit operation failed. Says which step, at which hop, and why, without naming relays, keys or addresses (so
/// that it can be logged).
/// </summary>
public sealed class CircuitException : Exception
{
    /// <summary>Creates the exception; the message is made from the values.</summary>
    public CircuitException(
        CircuitStep step,
        CircuitFailure failure,
        HopIndex? hop = null,
        CircuitCloseReason closeReason = CircuitCloseReason.None,
        DestroyReason? destroyReason = null,
        EndReason? streamEndReason = null)
        : base(Describe(step, failure, hop, closeReason, destroyReason, streamEndReason))
    {
        Step = step;
        Failure = failure;
        Hop = hop;
        CloseReason = closeReason;
        DestroyReason = destroyReason;
        StreamEndReason = streamEndReason;
    }

    /// <summary>Creates an exception with only a message (for serializers and tooling).</summary>
    public CircuitException()
        : this(CircuitStep.Send, CircuitFailure.Closed)
    {
    }

    /// <summary>Creates an exception with only a message (for serializers and tooling).</summary>
    public CircuitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with only a message and an inner exception (for serializers and tooling).</summary>
    public CircuitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The step that failed.</summary>
    public CircuitStep Step { get; }

    /// <summary>Why.</summary>
    public CircuitFailure Failure { get; }

    /// <summary>The hop the step was for, when there was one.</summary>
    public HopIndex? Hop { get; }

    /// <summary>Why the circuit closed, when it did.</summary>
    public CircuitCloseReason CloseReason { get; }

    /// <summary>The reason in the DESTROY the hop sent, when it refused.</summary>
    public DestroyReason? DestroyReason { get; }

    /// <summary>The reason in the END that refused a stream.</summary>
    public EndReason? StreamEndReason { get; }

    private static string Describe(
        CircuitStep step, CircuitFailure failure, HopIndex? hop, CircuitCloseReason closeReason, DestroyReason? destroyReason, EndReason? endReason)
    {
        var what = step switch
        {
            CircuitStep.Create => "Creating the circuit",
            CircuitStep.Extend => "Extending the circuit",
            CircuitStep.Send => "Sending on the circuit",
            CircuitStep.Receive => "Waiting for a message on the circuit",
            CircuitStep.Rendezvous => "Completing the rendezvous",
            CircuitStep.OpenStream => "Opening a stream",
            _ => "A circuit operation",
        };
        var where = hop is { } h ? $" to {h}" : string.Empty;
        var why = failure switch
        {
            CircuitFailure.Closed => $"the circuit closed ({closeReason})",
            CircuitFailure.Refused => $"the hop refused it (DESTROY {destroyReason})",
            CircuitFailure.LinkUnavailable => "the link cannot carry another circuit",
            CircuitFailure.HandshakeFailed => "the hop's handshake reply did not verify",
            CircuitFailure.ProtocolViolation => "the hop broke the protocol",
            CircuitFailure.NoSuchHop => "the circuit has no such hop",
            CircuitFailure.CannotExtend => "the circuit cannot take another hop",
            CircuitFailure.TooManyStreams => "the circuit carries the most streams it may",
            CircuitFailure.StreamRefused => $"the far end refused it (END {endReason})",
            _ => failure.ToString(),
        };
        return $"{what}{where} failed: {why}.";
    }
}
