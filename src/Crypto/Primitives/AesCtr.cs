using System.Runtime.Intrinsics;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// AES in counter mode with a 128-bit big-endian counter, as ntor v3, hs_ntor and hidden-point descriptors use it
/// (their "STREAM" / "ENC": AES-256-CTR, IV given, usually zero). Runs on <see cref="AesKeySchedule"/>: AES-NI when
/// the processor has it, the constant-time portable AES otherwise; nothing is allocated.
/// </summary>
public static class AesCtr
{
    private const int BlockSize = 16;

    /// <summary>XORs the keystream of AES-CTR(<paramref name="key"/>, <paramref name="iv"/>) into <paramref name="data"/>.</summary>
    /// <param name="key">16, 24 or 32 bytes.</param>
    /// <param name="iv">The initial counter block, 16 bytes.</param>
    /// <param name="data">Encrypted or decrypted in place.</param>
    public static void Xor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data) =>
        Xor(key, iv, data, PrimitiveSupport.Resolve(null));

    /// <summary>As <see cref="Xor(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>, on a chosen implementation.</summary>
    public static void Xor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data, PrimitiveImplementation implementation)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES key must be 16, 24 or 32 bytes.", nameof(key));
        }

        if (iv.Length != BlockSize)
        {
            throw new ArgumentException("AES-CTR IV must be 16 bytes.", nameof(iv));
        }

        var schedule = default(AesKeySchedule);
        try
        {
            schedule.SetKey(key, PrimitiveSupport.Resolve(implementation), AesDirections.Encrypt);
            schedule.XorCounterMode(Vector128.Create(iv), data);
        }
        finally
        {
            schedule.Clear();
        }
    }
}
