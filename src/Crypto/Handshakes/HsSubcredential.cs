using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The subcredential <c>N_hs_subcred</c> of one hidden point for one time period (rend-spec-v3 §2.1): only parties that know the hidden-id can compute it, and hs_ntor binds it into the introduction keys. Secret from everyone who does not know the hidden-id; compared in constant time.
/// </summary>
public readonly struct HsSubcredential : IEquatable<HsSubcredential>
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Length = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Wraps the 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes.</exception>
    public HsSubcredential(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("A subcredential is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The 32 bytes.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <inheritdoc/>
    public bool Equals(HsSubcredential other) => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Bytes, other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HsSubcredential other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equality of encodings.</summary>
    public static bool operator ==(HsSubcredential left, HsSubcredential right) => left.Equals(right);

    /// <summary>Inequality of encodings.</summary>
    public static bool operator !=(HsSubcredential left, HsSubcredential right) => !left.Equals(right);
}
