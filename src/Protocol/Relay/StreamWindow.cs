namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// Per-stream flow control of BEGIN streams (HiddenPoint's, after Tor's stream windows): each side may send
/// <see cref="Initial"/> DATA messages on a stream beyond what the other side acknowledged, and the other side sends one
/// STREAM_SENDME each time its application has read another <see cref="Increment"/> of them. Both numbers are part of
/// the protocol: a receiver closes the circuit of a sender that overruns them. Directory streams are not windowed; a
/// relay paces them with the circuit window, and their declared lengths bound them.
/// </summary>
public static class StreamWindow
{
    /// <summary>DATA messages a side may send on a stream before the first STREAM_SENDME (Tor's 500).</summary>
    public const int Initial = 500;

    /// <summary>DATA messages one STREAM_SENDME acknowledges (Tor's 50).</summary>
    public const int Increment = 50;
}
