namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// The command of a relay message. Numbers below 64 are Tor's; 64 and up are HiddenPoint's own directory
/// commands (see docs/protocol.md). The enum is open: an unknown byte is still a value, which the umbrella
/// decoder turns into <see cref="UnrecognizedMessage"/>.
/// </summary>
public enum RelayCommand : byte
{
    /// <summary>Open a stream to a hidden point's virtual port. Stream command.</summary>
    Begin = 1,

    /// <summary>Stream bytes. Stream command.</summary>
    Data = 2,

    /// <summary>Close a stream, with a reason. Stream command.</summary>
    End = 3,

    /// <summary>Accept a BEGIN. Stream command.</summary>
    Connected = 4,

    /// <summary>Circuit-level flow control (version 1, authenticated with the CGO tag).</summary>
    Sendme = 5,

    /// <summary>Long-range padding: dropped by the hop it is addressed to.</summary>
    Drop = 10,

    /// <summary>Extend the circuit by one hop.</summary>
    Extend2 = 14,

    /// <summary>Answer to EXTEND2.</summary>
    Extended2 = 15,

    /// <summary>A host asks a relay to be its introduction point.</summary>
    EstablishIntro = 32,

    /// <summary>A client asks a relay to be its rendezvous point.</summary>
    EstablishRendezvous = 33,

    /// <summary>A client's introduction, sent to the introduction point.</summary>
    Introduce1 = 34,

    /// <summary>The introduction, relayed from the introduction point to the host.</summary>
    Introduce2 = 35,

    /// <summary>The host's answer, sent to the rendezvous point.</summary>
    Rendezvous1 = 36,

    /// <summary>The host's answer, relayed from the rendezvous point to the client.</summary>
    Rendezvous2 = 37,

    /// <summary>The introduction point accepted ESTABLISH_INTRO.</summary>
    IntroEstablished = 38,

    /// <summary>The rendezvous point accepted ESTABLISH_RENDEZVOUS.</summary>
    RendezvousEstablished = 39,

    /// <summary>The introduction point's answer to INTRODUCE1.</summary>
    IntroduceAck = 40,

    // 41-63: Tor's (padding negotiation, XON/XOFF, conflux); unused by HiddenPoint.

    /// <summary>Upload a hidden-point descriptor to an HSDir; the descriptor follows as DATA. Stream command.</summary>
    DescriptorStore = 64,

    /// <summary>Ask an HSDir for a hidden-point descriptor by blinded key. Stream command.</summary>
    DescriptorFetch = 65,

    /// <summary>Ask a relay acting as directory cache for a directory document. Stream command.</summary>
    DirectoryRequest = 66,

    /// <summary>Status and length of the answer to a directory command; the body follows as DATA. Stream command.</summary>
    DirectoryResponse = 67,

    /// <summary>Per-stream flow control: the receiver has read another increment of the stream's DATA. Stream command.</summary>
    StreamSendme = 68,
}

/// <summary>Facts about each <see cref="RelayCommand"/>.</summary>
public static class RelayCommands
{
    /// <summary>
    /// True for commands whose v1 header carries a stream id. Unknown commands are treated as carrying none,
    /// so their data starts right after the length field.
    /// </summary>
    public static bool CarriesStreamId(RelayCommand command) => command switch
    {
        RelayCommand.Begin or RelayCommand.Data or RelayCommand.End or RelayCommand.Connected
            or RelayCommand.DescriptorStore or RelayCommand.DescriptorFetch
            or RelayCommand.DirectoryRequest or RelayCommand.DirectoryResponse or RelayCommand.StreamSendme => true,
        _ => false,
    };
}

/// <summary>A stream's id on a circuit: non-zero for stream commands. <c>default</c> means "no stream".</summary>
/// <param name="Value">The wire value.</param>
public readonly record struct StreamId(ushort Value)
{
    /// <summary>True for a real stream (non-zero).</summary>
    public bool IsPresent => Value != 0;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
