namespace HiddenPoint.Protocol.Cells;

/// <summary>
/// A circuit's id on one link: a non-zero 32-bit value. The side that opened the link (the link initiator)
/// allocates ids with the top bit set and the responder allocates ids with it clear, so the two sides never
/// pick the same id for different circuits. <c>default(CircuitId)</c> is not a valid id.
/// </summary>
public readonly record struct CircuitId
{
    /// <summary>The bit that the link initiator sets in the ids it allocates.</summary>
    public const uint HighBit = 0x8000_0000;

    /// <summary>Wraps <paramref name="value"/>; zero is a programming error.</summary>
    public CircuitId(uint value)
    {
        if (value == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A circuit id is never zero.");
        }

        Value = value;
    }

    /// <summary>The id as it appears on the wire.</summary>
    public uint Value { get; }

    /// <summary>True when the top bit is set, i.e. the link initiator allocated this id.</summary>
    public bool HasHighBit => (Value & HighBit) != 0;

    /// <summary>Wraps a wire value, or returns false for zero.</summary>
    public static bool TryCreate(uint value, out CircuitId id)
    {
        id = value == 0 ? default : new CircuitId(value);
        return value != 0;
    }

    /// <summary>
    /// Builds an id from 31 random bits for the given side of the link: the initiator's ids get the top bit,
    /// the responder's do not. Returns false when the result would be zero (the caller draws again).
    /// </summary>
    public static bool TryCreateFor(LinkSide allocator, uint randomBits, out CircuitId id)
    {
        var value = allocator == LinkSide.Initiator ? randomBits | HighBit : randomBits & ~HighBit;
        return TryCreate(value, out id);
    }

    /// <summary>True when this id is one that <paramref name="allocator"/> may allocate.</summary>
    public bool IsAllocatedBy(LinkSide allocator) => HasHighBit == (allocator == LinkSide.Initiator);

    /// <inheritdoc/>
    public override string ToString() => $"0x{Value:x8}";
}

/// <summary>Which end of a link a party is: the one that opened the connection, or the one that accepted it.</summary>
public enum LinkSide : byte
{
    /// <summary>Opened the link; allocates circuit ids with the top bit set.</summary>
    Initiator = 1,

    /// <summary>Accepted the link; allocates circuit ids with the top bit clear.</summary>
    Responder = 2,
}
