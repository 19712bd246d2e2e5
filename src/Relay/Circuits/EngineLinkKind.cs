namespace HiddenPoint.Relay.Circuits;

/// <summary>What a link of the engine connects.</summary>
internal enum EngineLinkKind
{
    /// <summary>A client's link (Noise NK) to this relay.</summary>
    Client = 0,

    /// <summary>Another relay's link to this relay (Noise XK, this side responded).</summary>
    RelayIn = 1,

    /// <summary>This relay's link to another relay (launched by the link manager for an EXTEND2).</summary>
    RelayOut = 2,
}
