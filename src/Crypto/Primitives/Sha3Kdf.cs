using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// The SHA3 building blocks that ntor v3 (proposal 332, A.1) and hs_ntor (rend-spec-v3) share:
/// <c>ENCAP(s) = u64_be(len(s)) | s</c>, <c>H(s, t) = SHA3-256(ENCAP(t) | s)</c>,
/// <c>MAC(k, m, t) = SHA3-256(ENCAP(t) | ENCAP(k) | m)</c> and <c>KDF(s, t) = SHAKE-256(ENCAP(t) | s)</c>.
/// Inputs are written into a caller's buffer with <see cref="Sha3KdfInput"/> and hashed in one call.
/// </summary>
internal static class Sha3Kdf
{
    /// <summary>SHA3-256 output length, which is also every MAC, MAC key and digest length in both handshakes.</summary>
    public const int DigestLength = 32;

    /// <summary>Length of the 64-bit big-endian length prefix of ENCAP.</summary>
    public const int EncapPrefixLength = 8;

    /// <summary>Largest input hashed from a stack buffer; larger ones use a pooled array.</summary>
    public const int StackLimit = 1024;

    /// <summary>Writes ENCAP(<paramref name="value"/>) into <paramref name="destination"/>, returning the bytes written.</summary>
    public static int WriteEncap(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)value.Length);
        value.CopyTo(destination[EncapPrefixLength..]);
        return EncapPrefixLength + value.Length;
    }

    /// <summary>ENCAP(<paramref name="value"/>) as a new array: labels are encapsulated once, when they are made.</summary>
    public static byte[] Encap(ReadOnlySpan<byte> value)
    {
        var result = new byte[EncapPrefixLength + value.Length];
        WriteEncap(value, result);
        return result;
    }

    /// <summary>SHA3-256 of <paramref name="input"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Sha3(ReadOnlySpan<byte> input, Span<byte> destination) =>
        SHA3_256.HashData(input, destination[..DigestLength]);

    /// <summary>The first <paramref name="destination"/>.Length bytes of SHAKE-256(<paramref name="input"/>).</summary>
    public static void Shake(ReadOnlySpan<byte> input, Span<byte> destination) =>
        Shake256.HashData(input, destination);
}

/// <summary>Appends the pieces of a hash input to a caller-owned buffer (stack or pooled), in order.</summary>
internal ref struct Sha3KdfInput
{
    private readonly Span<byte> _buffer;
    private int _length;

    public Sha3KdfInput(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>Everything written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void Append(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer[_length..]);
        _length += data.Length;
    }

    /// <summary>Appends ENCAP(<paramref name="data"/>).</summary>
    public void AppendEncap(ReadOnlySpan<byte> data) =>
        _length += Sha3Kdf.WriteEncap(data, _buffer[_length..]);

    /// <summary>Zeroes what was written: hash inputs hold shared secrets.</summary>
    public readonly void Clear() => CryptographicOperations.ZeroMemory(_buffer[.._length]);
}
