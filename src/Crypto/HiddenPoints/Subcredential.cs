using System.Security.Cryptography;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// N_hs_subcred (rend-spec-v3 §2.1 [SUBCRED]) = H(subcredential | H(credential | KP_hs_id) | KP_hs_blind_id): the
/// per-period value that keys descriptor encryption and binds the introduction handshake. Anyone who knows the
/// hidden-id can compute it; HSDirs, which know only the blinded key, cannot.
/// </summary>
public sealed class Subcredential : IEquatable<Subcredential>
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 32;

    private readonly byte[] _value;

    /// <summary>A subcredential from its 32 bytes (for example one computed elsewhere and stored).</summary>
    public Subcredential(ReadOnlySpan<byte> value)
    {
        if (value.Length != Length)
        {
            throw new ArgumentException("A subcredential is 32 bytes.", nameof(value));
        }

        _value = value.ToArray();
    }

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _value;

    /// <summary>Compares in constant time.</summary>
    public bool Equals(Subcredential? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_value, other._value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Subcredential);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_value, 0);
}
