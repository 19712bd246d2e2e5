namespace HiddenPoint.Protocol.Cells;

/// <summary>
/// The command byte of a cell. Numbers are Tor's; HiddenPoint uses only the fixed-length commands below because
/// link setup, versions and certificates are the Noise handshake's job (no VERSIONS, CERTS, NETINFO or
/// variable-length cells). The enum is open: any byte converts to it, and <see cref="CellCommands.IsKnown"/> says
/// whether this layer handles it.
/// </summary>
public enum CellCommand : byte
{
    /// <summary>Link padding; carries no circuit id and its body is ignored.</summary>
    Padding = 0,

    /// <summary>A relay cell for a circuit (body opaque at the cell layer).</summary>
    Relay = 3,

    /// <summary>Tear a circuit down, with a reason.</summary>
    Destroy = 4,

    /// <summary>
    /// A relay cell that may carry EXTEND2; a relay limits how many it passes on per circuit, which bounds the
    /// length of any circuit.
    /// </summary>
    RelayEarly = 9,

    /// <summary>Create a circuit: handshake type and client handshake.</summary>
    Create2 = 10,

    /// <summary>Answer to CREATE2: server handshake.</summary>
    Created2 = 11,
}

/// <summary>Whether a cell command must carry a circuit id or must carry zero.</summary>
public enum CircuitIdRule : byte
{
    /// <summary>The circuit id must be non-zero.</summary>
    Required = 1,

    /// <summary>The circuit id must be zero: the cell concerns the link itself.</summary>
    Forbidden = 2,
}

/// <summary>Facts about each <see cref="CellCommand"/>.</summary>
public static class CellCommands
{
    /// <summary>True for the commands this layer handles.</summary>
    public static bool IsKnown(CellCommand command) => command switch
    {
        CellCommand.Padding or CellCommand.Relay or CellCommand.Destroy or CellCommand.RelayEarly
            or CellCommand.Create2 or CellCommand.Created2 => true,
        _ => false,
    };

    /// <summary>
    /// The circuit id rule for a known command; returns false for an unknown one.
    /// </summary>
    public static bool TryGetCircuitIdRule(CellCommand command, out CircuitIdRule rule)
    {
        switch (command)
        {
            case CellCommand.Padding:
                rule = CircuitIdRule.Forbidden;
                return true;
            case CellCommand.Relay:
            case CellCommand.Destroy:
            case CellCommand.RelayEarly:
            case CellCommand.Create2:
            case CellCommand.Created2:
                rule = CircuitIdRule.Required;
                return true;
            default:
                rule = default;
                return false;
        }
    }
}
