using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// POLYVAL on 512-bit VPCLMULQDQ: four blocks per instruction against a table of precomputed powers of H, with one
/// reduction for the whole message. Used for CGO's fixed 32-block tweak hash.
/// </summary>
internal static class PolyvalWide
{
    private const ulong ReductionConstant = 0xC200000000000000UL;

    public static bool IsSupported => Pclmulqdq.V512.IsSupported && Avx512BW.IsSupported;

    /// <summary>
    /// Fills <paramref name="table"/> (32 entries) with H^32, H^31, ..., H^1: three scalar products give H^2..H^4,
    /// then each step multiplies every power so far by the highest one, four at a time, all in registers.
    /// </summary>
    public static void ComputeDescendingPowers(Vector128<ulong> h, Span<Vector128<ulong>> table, in PolyvalKey scalar)
    {
        if (table.Length != 32)
        {
            throw new ArgumentException("The power table holds 32 entries.", nameof(table));
        }

        var h2 = scalar.Multiply(h, h);
        var h3 = scalar.Multiply(h2, h);
        var h4 = scalar.Multiply(h2, h2);
        var p1 = Vector512.Create(Vector256.Create(h, h2), Vector256.Create(h3, h4));
        var p2 = Multiply(p1, Broadcast(h4));
        var h8 = Broadcast(p2.GetUpper().GetUpper());
        var p3 = Multiply(p1, h8);
        var p4 = Multiply(p2, h8);
        var h16 = Broadcast(p4.GetUpper().GetUpper());
        ref var t = ref MemoryMarshal.GetReference(table);
        Store(ref t, 0, Reverse(Multiply(p4, h16)));
        Store(ref t, 4, Reverse(Multiply(p3, h16)));
        Store(ref t, 8, Reverse(Multiply(p2, h16)));
        Store(ref t, 12, Reverse(Multiply(p1, h16)));
        Store(ref t, 16, Reverse(p4));
        Store(ref t, 20, Reverse(p3));
        Store(ref t, 24, Reverse(p2));
        Store(ref t, 28, Reverse(p1));
    }

    /// <summary>Reverses the order of the four 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Reverse(Vector512<ulong> v) => Avx512F.Shuffle4x128(v, v, 0x1B);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Load(ref Vector128<ulong> table, int index) =>
        Vector512.LoadUnsafe(ref Unsafe.As<Vector128<ulong>, ulong>(ref Unsafe.Add(ref table, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref Vector128<ulong> table, int index, Vector512<ulong> value) =>
        value.StoreUnsafe(ref Unsafe.As<Vector128<ulong>, ulong>(ref Unsafe.Add(ref table, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Broadcast(Vector128<ulong> v)
    {
        var half = Vector256.Create(v, v);
        return Vector512.Create(half, half);
    }

    /// <summary>Adds the unreduced products x · p (lane by lane) into the accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate(
        Vector512<ulong> x, Vector512<ulong> p, ref Vector512<ulong> lo, ref Vector512<ulong> mid, ref Vector512<ulong> hi)
    {
        lo ^= Pclmulqdq.V512.CarrylessMultiply(x, p, 0x00);
        hi ^= Pclmulqdq.V512.CarrylessMultiply(x, p, 0x11);
        mid ^= Pclmulqdq.V512.CarrylessMultiply(x, p, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(x, p, 0x10);
    }

    /// <summary>Sums the four lanes of the accumulators and reduces once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Finish(Vector512<ulong> lo, Vector512<ulong> mid, Vector512<ulong> hi) =>
        PolyvalKey.Reduce(Fold(lo), Fold(mid), Fold(hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector512<ulong> v)
    {
        var half = v.GetLower() ^ v.GetUpper();
        return half.GetLower() ^ half.GetUpper();
    }

    /// <summary>Four independent POLYVAL dot products, lane by lane.</summary>
    /// <remarks>Inlined: as a call, each 512-bit argument and the result went through the stack, which cost more than the products.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Multiply(Vector512<ulong> a, Vector512<ulong> b)
    {
        var lo = Pclmulqdq.V512.CarrylessMultiply(a, b, 0x00);
        var hi = Pclmulqdq.V512.CarrylessMultiply(a, b, 0x11);
        var mid = Pclmulqdq.V512.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(a, b, 0x10);
        var tLo = lo ^ Avx512BW.ShiftLeftLogical128BitLane(mid.AsByte(), 8).AsUInt64();
        var tHi = hi ^ Avx512BW.ShiftRightLogical128BitLane(mid.AsByte(), 8).AsUInt64();
        var c = Vector512.Create(ReductionConstant, 0UL, ReductionConstant, 0UL, ReductionConstant, 0UL, ReductionConstant, 0UL);
        var x = Swap(tLo) ^ Pclmulqdq.V512.CarrylessMultiply(tLo, c, 0x00);
        var y = Swap(x) ^ Pclmulqdq.V512.CarrylessMultiply(x, c, 0x00);
        return tHi ^ y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Swap(Vector512<ulong> v) => Avx512F.Shuffle(v.AsUInt32(), 0x4E).AsUInt64();
}
