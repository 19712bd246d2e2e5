namespace HiddenPoint.Network.Circuits;

/// <summary>Why a circuit ended. Metrics count closes by this value.</summary>
public enum CircuitCloseReason
{
    /// <summary>The circuit is still open.</summary>
    None = 0,

    /// <summary>This side closed it on purpose.</summary>
    LocalClose,

    /// <summary>A peer sent DESTROY.</summary>
    DestroyedByPeer,

    /// <summary>A link that carried the circuit closed.</summary>
    LinkClosed,

    /// <summary>A peer sent more cells than <see cref="CircuitOptions.MaxQueuedCells"/> allows to wait.</summary>
    QueueOverflow,

    /// <summary>A RELAY_EARLY cell arrived in a direction where none may travel, or more than the limit.</summary>
    RelayEarlyViolation,

    /// <summary>A cell decrypted to nothing recognised where it had to be (forged, corrupted or out of step).</summary>
    UnrecognizedCell,

    /// <summary>A SENDME was missing its authenticated tag, had the wrong one, or came when nothing was due.</summary>
    SendmeViolation,

    /// <summary>The peer sent more DATA than the window allows.</summary>
    WindowViolation,

    /// <summary>Another circuit-level protocol violation (for instance a second CREATED2).</summary>
    ProtocolViolation,

    /// <summary>The circuit handler reported an error, or threw.</summary>
    HandlerError,

    /// <summary>A fault in this process's own code; the circuit was closed to contain it.</summary>
    InternalError,

    /// <summary>The circuit it was joined to at a rendezvous point closed, so this one closed with it.</summary>
    JoinedCircuitClosed,

    /// <summary>
    /// This process was above its memory limit and closed the circuit to free what it held queued; DESTROY carries
    /// <see cref="Protocol.Cells.DestroyReason.ResourceLimit"/>.
    /// </summary>
    MemoryLimit,
}
