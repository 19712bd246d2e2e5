namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>What reading one frame from the front of the received bytes gave.</summary>
public enum FrameReadStatus
{
    /// <summary>A whole, valid frame was read.</summary>
    Frame,

    /// <summary>The bytes so far are the valid start of a frame: wait for more.</summary>
    NeedMore,

    /// <summary>The bytes are not a valid frame (the error says why); the connection is closed.</summary>
    Malformed,
}
