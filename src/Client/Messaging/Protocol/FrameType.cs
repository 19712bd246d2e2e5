namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>The type byte of a conversation frame (docs/messaging.md, "Frames"). Any other value is refused.</summary>
public enum FrameType : byte
{
    /// <summary>The connecting side's first frame: version, identity key, proof bound to this connection.</summary>
    Hello = 1,

    /// <summary>The host's answer to a Hello it accepts.</summary>
    HelloAccepted = 2,

    /// <summary>The host's answer to a Hello it refuses, with the reason; the host closes the connection after it.</summary>
    Refused = 3,

    /// <summary>One message of the conversation, from either side.</summary>
    Message = 4,

    /// <summary>A cumulative acknowledgement of the other side's messages, from either side.</summary>
    Ack = 5,
}
