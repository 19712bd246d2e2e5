namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// A shared random value (rend-spec-v3 §2.3, dir-spec's SRV): 32 bytes that every relay's ring position for a period
/// depends on, so that no one can place a relay next to a chosen hidden point in advance.
/// </summary>
public sealed class SharedRandomValue : IEquatable<SharedRandomValue>
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 32;

    private readonly byte[] _value;

    /// <summary>A value from its 32 bytes (as a consensus carries it).</summary>
    public SharedRandomValue(ReadOnlySpan<byte> value)
    {
        if (value.Length != Length)
        {
            throw new ArgumentException("A shared random value is 32 bytes.", nameof(value));
        }

        _value = value.ToArray();
    }

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _value;

    /// <inheritdoc/>
    public bool Equals(SharedRandomValue? other) => other is not null && _value.AsSpan().SequenceEqual(other._value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SharedRandomValue);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_value, 0);

    /// <summary>The value in lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_value);
}
