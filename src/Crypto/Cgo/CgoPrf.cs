using System.Runtime.Intrinsics;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// PRF, proposal 359's tweaked keystream: PRF((K, B), T, t) = AES-CTR_K from IV = MASK(POLYVAL(B, T)) + 31·t,
/// where MASK clears the low six bits of the last byte (so the 128-bit big-endian counter never carries out of that
/// byte). t = 0 gives the 493 bytes that cover X_R; t = 1 gives the key-update stream.
/// </summary>
internal struct CgoPrf
{
    private AesKeySchedule _k;
    private PolyvalKey _b;

    /// <summary>Sets K || B (AES key then 16-byte POLYVAL key).</summary>
    public void SetKey(ReadOnlySpan<byte> key, int aesKeyLength, PrimitiveImplementation implementation)
    {
        _k.SetKey(key[..aesKeyLength], implementation, AesDirections.Encrypt);
        _b.SetKey(key.Slice(aesKeyLength, 16), 1, implementation);
    }

    public readonly void ExportKey(Span<byte> destination, int aesKeyLength)
    {
        _k.ExportKey(destination[..aesKeyLength]);
        _b.ExportKey(destination.Slice(aesKeyLength, 16));
    }

    public void Clear()
    {
        _k.Clear();
        _b.Clear();
    }

    /// <summary>XORs PRF(T, t = 0) into <paramref name="data"/> (X_R).</summary>
    public readonly void XorT0(Vector128<byte> tweak, Span<byte> data) => _k.XorCounterMode(InitialCounter(tweak), data);

    /// <summary>Writes the first bytes of PRF(T, t = 1) into <paramref name="output"/>.</summary>
    public readonly void GenerateT1(Vector128<byte> tweak, Span<byte> output)
    {
        output.Clear();
        _k.XorCounterMode(InitialCounter(tweak) | Vector128.Create(0UL, 31UL << 56).AsByte(), output);
    }

    private readonly Vector128<byte> InitialCounter(Vector128<byte> tweak) =>
        _b.Update(Vector128<ulong>.Zero, tweak.AsUInt64()).AsByte() & Vector128.Create(ulong.MaxValue, 0xC0FFFFFFFFFFFFFFUL).AsByte();
}
