using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Cells;

/// <summary>
/// An immutable set of cell commands: what one kind of link accepts from its peer. A client's link, for
/// instance, never accepts CREATE2 (clients do not carry other people's circuits) nor RELAY_EARLY (which only
/// travels away from a circuit's originator).
/// </summary>
public readonly struct CellCommandSet : IEquatable<CellCommandSet>
{
    // Every command HiddenPoint uses is below 64, so one word holds the set; higher bytes are never members.
    private readonly ulong _bits;

    private CellCommandSet(ulong bits)
    {
        _bits = bits;
    }

    /// <summary>A set of exactly <paramref name="commands"/>; a command number of 64 or more throws.</summary>
    public static CellCommandSet Of(params ReadOnlySpan<CellCommand> commands)
    {
        ulong bits = 0;
        foreach (var command in commands)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((byte)command, 64, nameof(commands));
            bits |= 1UL << (byte)command;
        }

        return new CellCommandSet(bits);
    }

    /// <summary>True when <paramref name="command"/> is in the set.</summary>
    public bool Contains(CellCommand command) => (byte)command < 64 && (_bits & (1UL << (byte)command)) != 0;

    /// <summary>Returns a typed "command not allowed in this state" error at the command byte of the cell (offset 4).</summary>
    public bool Check(CellCommand command, out DecodeError error)
    {
        if (Contains(command))
        {
            error = default;
            return true;
        }

        error = new DecodeError(DecodeErrorKind.CommandNotAllowed, Cell.CommandOffset, "cell command not allowed on this link");
        return false;
    }

    /// <inheritdoc/>
    public bool Equals(CellCommandSet other) => _bits == other._bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CellCommandSet other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bits.GetHashCode();

    /// <summary>Equality.</summary>
    public static bool operator ==(CellCommandSet left, CellCommandSet right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(CellCommandSet left, CellCommandSet right) => !left.Equals(right);
}

/// <summary>The cell commands each kind of link accepts from its peer.</summary>
public static class LinkStates
{
    /// <summary>A client's link to its guard: answers and traffic for the client's own circuits.</summary>
    public static CellCommandSet ClientFromRelay => CellCommandSet.Of(
        CellCommand.Padding, CellCommand.Created2, CellCommand.Destroy, CellCommand.Relay);

    /// <summary>A relay's link from a client: the client creates circuits and sends toward them.</summary>
    public static CellCommandSet RelayFromClient => CellCommandSet.Of(
        CellCommand.Padding, CellCommand.Create2, CellCommand.Destroy, CellCommand.Relay, CellCommand.RelayEarly);

    /// <summary>A relay's link from another relay (authenticated by Noise XK): circuits in both directions.</summary>
    public static CellCommandSet RelayFromRelay => CellCommandSet.Of(
        CellCommand.Padding, CellCommand.Create2, CellCommand.Created2, CellCommand.Destroy,
        CellCommand.Relay, CellCommand.RelayEarly);
}
