using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The introduction point's authentication key <c>KP_hs_ipt_sid</c> (AUTH_KEY in hs_ntor), an Ed25519 public key that the hidden point's descriptor lists for one introduction point.
/// </summary>
public readonly struct HsIntroAuthKey : IEquatable<HsIntroAuthKey>
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Length = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Wraps the 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes.</exception>
    public HsIntroAuthKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("An introduction authentication key is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The 32 bytes.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <inheritdoc/>
    public bool Equals(HsIntroAuthKey other) => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Bytes, other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HsIntroAuthKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equality of encodings.</summary>
    public static bool operator ==(HsIntroAuthKey left, HsIntroAuthKey right) => left.Equals(right);

    /// <summary>Inequality of encodings.</summary>
    public static bool operator !=(HsIntroAuthKey left, HsIntroAuthKey right) => !left.Equals(right);
}
