using System.Security.Cryptography;

namespace HiddenPoint.Client.Messaging.Ledger;

/// <summary>A message's random unique id (16 bytes), chosen by its sender; duplicates are recognised by it.</summary>
public readonly record struct MessageId(UInt128 Value)
{
    /// <summary>Bytes on the wire.</summary>
    public const int Length = 16;

    /// <summary>A fresh random id.</summary>
    public static MessageId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    /// <summary>Reads an id from its 16 wire bytes (big-endian).</summary>
    public static MessageId Read(ReadOnlySpan<byte> bytes) => new(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes));

    /// <summary>Writes the id's 16 wire bytes (big-endian).</summary>
    public void Write(Span<byte> destination) => System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    /// <inheritdoc/>
    public override string ToString() => Value.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
}
