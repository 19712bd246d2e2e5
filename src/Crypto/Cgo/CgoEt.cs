using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// ET, proposal 359's tweakable block cipher (LRW2 over AES with a POLYVAL tweak hash):
/// ET.enc((KB, KU), T, M) = AES_KB(M ^ POLYVAL(KU, T)) ^ POLYVAL(KU, T), with the tweak
/// T = H(16) || zero-pad16(CMD(1) || X_R(493)), 32 POLYVAL blocks in all.
/// </summary>
[InlineArray(32)]
internal struct EtPowerTable
{
    private Vector128<ulong> _element0;
}

internal struct CgoEt
{
    private AesKeySchedule _kb;
    private PolyvalKey _ku;

    // H^32 .. H^1 for the 512-bit path (one reduction per tweak); unused elsewhere.
    private EtPowerTable _powers;
    private bool _wide;

    /// <summary>Sets KB || KU (AES key then 16-byte POLYVAL key).</summary>
    /// <param name="allowWideHash">False keeps the 128-bit PCLMULQDQ hash even where 512-bit VPCLMULQDQ exists (for tests).</param>
    public void SetKey(
        ReadOnlySpan<byte> key, int aesKeyLength, PrimitiveImplementation implementation, AesDirections directions,
        bool allowWideHash = true)
    {
        _kb.SetKey(key[..aesKeyLength], implementation, directions);
        _wide = allowWideHash && implementation == PrimitiveImplementation.Intrinsic && PolyvalWide.IsSupported;
        _ku.SetKey(key.Slice(aesKeyLength, 16), _wide ? 1 : PolyvalKey.MaxPowers, implementation);
        if (_wide)
        {
            PolyvalWide.ComputeDescendingPowers(PolyvalKey.Load(key.Slice(aesKeyLength, 16)), _powers, _ku);
        }
    }

    public readonly void ExportKey(Span<byte> destination, int aesKeyLength)
    {
        _kb.ExportKey(destination[..aesKeyLength]);
        _ku.ExportKey(destination.Slice(aesKeyLength, 16));
    }

    public void Clear()
    {
        _kb.Clear();
        _ku.Clear();
        ((Span<Vector128<ulong>>)_powers).Clear();
    }

    /// <param name="tag">H, the first tweak block (the chained tag T').</param>
    /// <param name="command">The channel cell command.</param>
    /// <param name="right">X_R, the 493 bytes after the tag.</param>
    /// <param name="block">M.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<byte> Encrypt(Vector128<byte> tag, byte command, ReadOnlySpan<byte> right, Vector128<byte> block)
    {
        var mask = TweakHash(tag, command, right).AsByte();
        return _kb.EncryptBlock(block ^ mask) ^ mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<byte> Decrypt(Vector128<byte> tag, byte command, ReadOnlySpan<byte> right, Vector128<byte> block)
    {
        var mask = TweakHash(tag, command, right).AsByte();
        return _kb.DecryptBlock(block ^ mask) ^ mask;
    }

    private readonly Vector128<ulong> TweakHash(Vector128<byte> tag, byte command, ReadOnlySpan<byte> right)
    {
        if (_ku.IsPortable)
        {
            return TweakHashPortable(tag, command, right);
        }

        // Block 1 is CMD || X_R[0..15); block k (2..30) is X_R[16k-17 .. 16k-1); block 31 is X_R[479..493) || 0 0.
        ref var x = ref MemoryMarshal.GetReference(right);
        var b1 = Sse41.Insert(Sse2.ShiftLeftLogical128BitLane(Vector128.LoadUnsafe(ref x), 1), command, 0).AsUInt64();
        var b31 = Sse2.ShiftRightLogical128BitLane(Vector128.LoadUnsafe(ref x, 477), 2).AsUInt64();
        if (_wide)
        {
            return WideTweakHash(tag.AsUInt64(), b1, b31, ref x);
        }

        var acc = _ku.Update8(
            Vector128<ulong>.Zero, tag.AsUInt64(), b1,
            Block(ref x, 15), Block(ref x, 31), Block(ref x, 47), Block(ref x, 63), Block(ref x, 79), Block(ref x, 95));
        acc = _ku.Update8(
            acc, Block(ref x, 111), Block(ref x, 127), Block(ref x, 143), Block(ref x, 159),
            Block(ref x, 175), Block(ref x, 191), Block(ref x, 207), Block(ref x, 223));
        acc = _ku.Update8(
            acc, Block(ref x, 239), Block(ref x, 255), Block(ref x, 271), Block(ref x, 287),
            Block(ref x, 303), Block(ref x, 319), Block(ref x, 335), Block(ref x, 351));
        return _ku.Update8(
            acc, Block(ref x, 367), Block(ref x, 383), Block(ref x, 399), Block(ref x, 415),
            Block(ref x, 431), Block(ref x, 447), Block(ref x, 463), b31);
    }

    /// <summary>The 32 blocks as eight 4-block vectors (blocks 4i..4i+3 sit at X_R[64i-17] for i = 1..6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly Vector128<ulong> WideTweakHash(Vector128<ulong> b0, Vector128<ulong> b1, Vector128<ulong> b31, ref byte x)
    {
        ref var p = ref Unsafe.AsRef(in _powers[0]);
        var lo = Vector512<ulong>.Zero;
        var mid = Vector512<ulong>.Zero;
        var hi = Vector512<ulong>.Zero;
        var first = Vector512.Create(Vector256.Create(b0, b1), Vector256.LoadUnsafe(ref x, 15).AsUInt64());
        PolyvalWide.Accumulate(first, PolyvalWide.Load(ref p, 0), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 47).AsUInt64(), PolyvalWide.Load(ref p, 4), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 111).AsUInt64(), PolyvalWide.Load(ref p, 8), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 175).AsUInt64(), PolyvalWide.Load(ref p, 12), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 239).AsUInt64(), PolyvalWide.Load(ref p, 16), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 303).AsUInt64(), PolyvalWide.Load(ref p, 20), ref lo, ref mid, ref hi);
        PolyvalWide.Accumulate(Vector512.LoadUnsafe(ref x, 367).AsUInt64(), PolyvalWide.Load(ref p, 24), ref lo, ref mid, ref hi);
        var last = Vector512.Create(
            Vector256.LoadUnsafe(ref x, 431).AsUInt64(), Vector256.Create(Vector128.LoadUnsafe(ref x, 463).AsUInt64(), b31));
        PolyvalWide.Accumulate(last, PolyvalWide.Load(ref p, 28), ref lo, ref mid, ref hi);
        return PolyvalWide.Finish(lo, mid, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Block(ref byte right, nuint offset) => Vector128.LoadUnsafe(ref right, offset).AsUInt64();

    private readonly Vector128<ulong> TweakHashPortable(Vector128<byte> tag, byte command, ReadOnlySpan<byte> right)
    {
        Span<byte> block = stackalloc byte[16];
        var acc = _ku.Update(Vector128<ulong>.Zero, tag.AsUInt64());
        block[0] = command;
        right[..15].CopyTo(block[1..]);
        acc = _ku.Update(acc, PolyvalKey.Load(block));
        var offset = 15;
        for (; offset + 16 <= right.Length; offset += 16)
        {
            acc = _ku.Update(acc, PolyvalKey.Load(right.Slice(offset, 16)));
        }

        block.Clear();
        right[offset..].CopyTo(block);
        acc = _ku.Update(acc, PolyvalKey.Load(block));
        block.Clear();
        return acc;
    }
}
