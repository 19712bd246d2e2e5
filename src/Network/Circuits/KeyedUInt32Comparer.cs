using System.Security.Cryptography;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Equality for 32-bit keys a peer chooses (circuit ids, stream ids), hashed with a secret random key so that the
/// peer cannot pick values that land in one bucket. With the default <c>uint</c> hash (the value itself) ids that
/// are equal modulo the table's prime size share a bucket, and 65,535 of them turn each lookup into a list walk
/// (TROVE-2021-005). Hashing goes through <see cref="HashCode"/>, whose seed is random per process, mixed with a
/// further random salt per comparer, so even two tables of one process bucket differently.
/// </summary>
public sealed class KeyedUInt32Comparer : IEqualityComparer<uint>
{
    private readonly uint _salt;

    /// <summary>Creates a comparer with a fresh random salt.</summary>
    public KeyedUInt32Comparer()
    {
        Span<byte> salt = stackalloc byte[sizeof(uint)];
        RandomNumberGenerator.Fill(salt);
        _salt = BitConverter.ToUInt32(salt);
    }

    /// <inheritdoc/>
    public bool Equals(uint x, uint y) => x == y;

    /// <inheritdoc/>
    public int GetHashCode(uint obj) => HashCode.Combine(obj, _salt);
}
