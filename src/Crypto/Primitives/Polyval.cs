using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Primitives;

[InlineArray(PolyvalKey.MaxPowers)]
internal struct PolyvalPowers
{
    private Vector128<ulong> _element0;
}

/// <summary>
/// POLYVAL (RFC 8452 section 3) keyed by H, stored inline with the powers H, H^2, ..., H^8 (in POLYVAL's dot
/// product) so that eight blocks are multiplied independently and reduced once. Field elements are 16-byte
/// little-endian values held in a <see cref="Vector128{T}"/> of two 64-bit halves (element 0 the low half).
/// </summary>
internal struct PolyvalKey
{
    public const int MaxPowers = 8;
    private const ulong ReductionConstant = 0xC200000000000000UL; // x^63 + x^62 + x^57

    private PolyvalPowers _powers;
    private int _powerCount;
    private bool _portable;

    public readonly bool IsPortable => _portable;

    /// <summary>Sets H from 16 bytes and precomputes <paramref name="powerCount"/> powers (1 to 8).</summary>
    public void SetKey(ReadOnlySpan<byte> key, int powerCount, PrimitiveImplementation implementation)
    {
        if (key.Length != 16)
        {
            throw new ArgumentException("POLYVAL key must be 16 bytes.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(powerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(powerCount, MaxPowers);
        _portable = implementation == PrimitiveImplementation.Portable;
        _powerCount = powerCount;
        _powers[0] = Load(key);

        // H^n = H^m · H^(n-m) with m the largest power of two below n: three rounds of independent products for eight
        // powers instead of a chain of seven (a key update re-keys ET, so this runs once per originated cell).
        for (var n = 2; n <= powerCount; n++)
        {
            var m = (int)BitOperations.RoundUpToPowerOf2((uint)n) / 2;
            _powers[n - 1] = Multiply(_powers[m - 1], _powers[n - m - 1]);
        }
    }

    public readonly void ExportKey(Span<byte> destination) => _powers[0].AsByte().CopyTo(destination);

    public void Clear()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<ulong>>)_powers));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Load(ReadOnlySpan<byte> block) =>
        Vector128.Create(BinaryPrimitives.ReadUInt64LittleEndian(block), BinaryPrimitives.ReadUInt64LittleEndian(block[8..]));

    /// <summary>One POLYVAL step: (accumulator ^ block) · H.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<ulong> Update(Vector128<ulong> accumulator, Vector128<ulong> block) =>
        Multiply(accumulator ^ block, _powers[0]);

    /// <summary>Eight POLYVAL steps at once: needs eight powers (falls back to eight single steps otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<ulong> Update8(
        Vector128<ulong> accumulator,
        Vector128<ulong> x0, Vector128<ulong> x1, Vector128<ulong> x2, Vector128<ulong> x3,
        Vector128<ulong> x4, Vector128<ulong> x5, Vector128<ulong> x6, Vector128<ulong> x7)
    {
        if (_portable || _powerCount < MaxPowers)
        {
            var a = Update(accumulator, x0);
            a = Update(a, x1);
            a = Update(a, x2);
            a = Update(a, x3);
            a = Update(a, x4);
            a = Update(a, x5);
            a = Update(a, x6);
            return Update(a, x7);
        }

        ref var h = ref Unsafe.AsRef(in _powers[0]);
        x0 ^= accumulator;
        var h8 = Unsafe.Add(ref h, 7);
        var lo = Pclmulqdq.CarrylessMultiply(x0, h8, 0x00);
        var hi = Pclmulqdq.CarrylessMultiply(x0, h8, 0x11);
        var mid = Pclmulqdq.CarrylessMultiply(x0, h8, 0x01) ^ Pclmulqdq.CarrylessMultiply(x0, h8, 0x10);
        Accumulate(x1, Unsafe.Add(ref h, 6), ref lo, ref mid, ref hi);
        Accumulate(x2, Unsafe.Add(ref h, 5), ref lo, ref mid, ref hi);
        Accumulate(x3, Unsafe.Add(ref h, 4), ref lo, ref mid, ref hi);
        Accumulate(x4, Unsafe.Add(ref h, 3), ref lo, ref mid, ref hi);
        Accumulate(x5, Unsafe.Add(ref h, 2), ref lo, ref mid, ref hi);
        Accumulate(x6, Unsafe.Add(ref h, 1), ref lo, ref mid, ref hi);
        Accumulate(x7, h, ref lo, ref mid, ref hi);
        return Reduce(lo, mid, hi);
    }

    /// <summary>Absorbs whole 16-byte blocks (the length must be a multiple of 16).</summary>
    public readonly Vector128<ulong> UpdateBlocks(Vector128<ulong> accumulator, ReadOnlySpan<byte> data)
    {
        var offset = 0;
        if (!_portable && _powerCount == MaxPowers)
        {
            ref var d = ref MemoryMarshal.GetReference(data);
            for (; offset + 128 <= data.Length; offset += 128)
            {
                ref var p = ref Unsafe.Add(ref d, offset);
                accumulator = Update8(
                    accumulator,
                    Vector128.LoadUnsafe(ref p).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 16).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 32).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 48).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 64).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 80).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 96).AsUInt64(),
                    Vector128.LoadUnsafe(ref p, 112).AsUInt64());
            }
        }

        for (; offset < data.Length; offset += 16)
        {
            accumulator = Update(accumulator, Load(data.Slice(offset, 16)));
        }

        return accumulator;
    }

    /// <summary>POLYVAL(H, X) of a whole message, zero-padding a partial last block.</summary>
    public readonly void Hash(ReadOnlySpan<byte> message, Span<byte> result)
    {
        var whole = message.Length & ~15;
        var accumulator = UpdateBlocks(Vector128<ulong>.Zero, message[..whole]);
        if (whole < message.Length)
        {
            Span<byte> last = stackalloc byte[16];
            last.Clear();
            message[whole..].CopyTo(last);
            accumulator = Update(accumulator, Load(last));
        }

        accumulator.AsByte().CopyTo(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(
        Vector128<ulong> x, Vector128<ulong> h, ref Vector128<ulong> lo, ref Vector128<ulong> mid, ref Vector128<ulong> hi)
    {
        lo ^= Pclmulqdq.CarrylessMultiply(x, h, 0x00);
        hi ^= Pclmulqdq.CarrylessMultiply(x, h, 0x11);
        mid ^= Pclmulqdq.CarrylessMultiply(x, h, 0x01) ^ Pclmulqdq.CarrylessMultiply(x, h, 0x10);
    }

    /// <summary>The dot product a · b · x^-128 modulo x^128 + x^127 + x^126 + x^121 + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        if (_portable)
        {
            return MultiplyPortable(a, b);
        }

        var lo = Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        var hi = Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        var mid = Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
        return Reduce(lo, mid, hi);
    }

    /// <summary>
    /// Montgomery reduction of the 256-bit product [t3:t2:t1:t0] by x^128, 64 bits at a time: the low word t
    /// cancels against t·P, leaving t·(x^57 + x^62 + x^63) to add one word up and t itself two words up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<ulong> Reduce(Vector128<ulong> lo, Vector128<ulong> mid, Vector128<ulong> hi)
    {
        var tLo = lo ^ Sse2.ShiftLeftLogical128BitLane(mid, 8);
        var tHi = hi ^ Sse2.ShiftRightLogical128BitLane(mid, 8);
        var c = Vector128.CreateScalar(ReductionConstant);
        var x = Swap(tLo) ^ Pclmulqdq.CarrylessMultiply(tLo, c, 0x00);
        var y = Swap(x) ^ Pclmulqdq.CarrylessMultiply(x, c, 0x00);
        return tHi ^ y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Swap(Vector128<ulong> v) => Sse2.Shuffle(v.AsUInt32(), 0x4E).AsUInt64();

    private static Vector128<ulong> MultiplyPortable(Vector128<ulong> a, Vector128<ulong> b)
    {
        var a0 = a.GetElement(0);
        var a1 = a.GetElement(1);
        var b0 = b.GetElement(0);
        var b1 = b.GetElement(1);
        var (p0l, p0h) = CarrylessMultiply64(a0, b0);
        var (p1l, p1h) = CarrylessMultiply64(a1, b1);
        var (m0l, m0h) = CarrylessMultiply64(a0, b1);
        var (m1l, m1h) = CarrylessMultiply64(a1, b0);
        var t0 = p0l;
        var t1 = p0h ^ m0l ^ m1l;
        var t2 = p1l ^ m0h ^ m1h;
        var t3 = p1h;

        // Same two folds as Reduce; multiplying by x^63 + x^62 + x^57 is three shifts.
        var aLo = (t0 << 63) ^ (t0 << 62) ^ (t0 << 57);
        var aHi = (t0 >> 1) ^ (t0 >> 2) ^ (t0 >> 7);
        var xLo = t1 ^ aLo;
        var xHi = t0 ^ aHi;
        var bLo = (xLo << 63) ^ (xLo << 62) ^ (xLo << 57);
        var bHi = (xLo >> 1) ^ (xLo >> 2) ^ (xLo >> 7);
        return Vector128.Create(t2 ^ xHi ^ bLo, t3 ^ xLo ^ bHi);
    }

    /// <summary>Carry-less 64x64 -> 128-bit product with integer multiplies only (no data-dependent branches).</summary>
    private static (ulong Low, ulong High) CarrylessMultiply64(ulong x, ulong y)
    {
        var low = MultiplyLow(x, y);
        var high = ReverseBits(MultiplyLow(ReverseBits(x), ReverseBits(y))) >> 1;
        return (low, high);
    }

    /// <summary>
    /// Low 64 bits of the carry-less product. Bits are split into four interleaved classes so that each integer
    /// product sums at most 16 terms per position; a carry can only reach 4 positions up, which is another class
    /// (masked away) or, for the top positions, beyond bit 63.
    /// </summary>
    private static ulong MultiplyLow(ulong x, ulong y)
    {
        const ulong M0 = 0x1111111111111111UL;
        const ulong M1 = M0 << 1;
        const ulong M2 = M0 << 2;
        const ulong M3 = M0 << 3;
        unchecked
        {
            ulong x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
            ulong y0 = y & M0, y1 = y & M1, y2 = y & M2, y3 = y & M3;
            var z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
            var z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
            var z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
            var z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
            return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
        }
    }

    private static ulong ReverseBits(ulong x)
    {
        x = ((x >> 1) & 0x5555555555555555UL) | ((x & 0x5555555555555555UL) << 1);
        x = ((x >> 2) & 0x3333333333333333UL) | ((x & 0x3333333333333333UL) << 2);
        x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((x & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return BinaryPrimitives.ReverseEndianness(x);
    }
}
