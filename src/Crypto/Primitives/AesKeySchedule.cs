using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>Which round keys an <see cref="AesKeySchedule"/> prepares.</summary>
[Flags]
internal enum AesDirections
{
    Encrypt = 1,
    Decrypt = 2,
    Both = Encrypt | Decrypt,
}

[InlineArray(AesKeySchedule.MaxRoundKeys)]
internal struct AesRoundKeys
{
    private Vector128<byte> _element0;
}

/// <summary>
/// An expanded AES-128, AES-192 or AES-256 key, stored inline (no heap allocation, so it can be re-keyed in place on
/// every CGO key update). The implementation chosen at <see cref="SetKey"/> is kept in the value.
/// </summary>
internal struct AesKeySchedule
{
    public const int BlockSize = 16;
    public const int MaxRoundKeys = 15;

    private AesRoundKeys _encryption;

    // Round keys of the equivalent inverse cipher (AESDEC order); the portable path decrypts with _encryption.
    private AesRoundKeys _decryption;
    private int _rounds;
    private bool _portable;

    public readonly int Rounds => _rounds;

    /// <summary>Expands <paramref name="key"/> (16, 24 or 32 bytes).</summary>
    public void SetKey(ReadOnlySpan<byte> key, PrimitiveImplementation implementation, AesDirections directions)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES key must be 16, 24 or 32 bytes.", nameof(key));
        }

        _portable = implementation == PrimitiveImplementation.Portable;
        var nk = key.Length / 4;
        _rounds = nk + 6;
        if (!_portable && key.Length != 24)
        {
            if (key.Length == 16)
            {
                ExpandKey128(Vector128.Create(key));
            }
            else
            {
                ExpandKey256(Vector128.Create(key[..16]), Vector128.Create(key[16..]));
            }

            PrepareDecryption(directions);
            return;
        }

        Span<uint> words = stackalloc uint[MaxRoundKeys * 4];
        var total = (_rounds + 1) * 4;
        for (var i = 0; i < nk; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        }

        // FIPS-197 key expansion on little-endian words, so byte 0 of a word is its low byte: RotWord is a rotation
        // right by 8 and Rcon sits in the low byte.
        var rcon = 1u;
        for (var i = nk; i < total; i++)
        {
            var t = words[i - 1];
            if (i % nk == 0)
            {
                t = SubWord(uint.RotateRight(t, 8)) ^ rcon;
                rcon = ((rcon << 1) ^ ((rcon >> 7) * 0x11Bu)) & 0xFF;
            }
            else if (nk > 6 && i % nk == 4)
            {
                t = SubWord(t);
            }

            words[i] = words[i - nk] ^ t;
        }

        Span<byte> encryption = MemoryMarshal.AsBytes((Span<Vector128<byte>>)_encryption);
        for (var i = 0; i < total; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(encryption[(4 * i)..], words[i]);
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(words));
        PrepareDecryption(directions);
    }

    private void PrepareDecryption(AesDirections directions)
    {
        if (!_portable && (directions & AesDirections.Decrypt) != 0)
        {
            _decryption[0] = _encryption[_rounds];
            for (var r = 1; r < _rounds; r++)
            {
                _decryption[r] = X86Aes.InverseMixColumns(_encryption[_rounds - r]);
            }

            _decryption[_rounds] = _encryption[0];
        }
    }

    // The AES-NI key expansion: AESKEYGENASSIST gives SubWord(RotWord(w3)) ^ rcon, which is broadcast and added to
    // the running prefix XOR of the previous round key's words.
    private void ExpandKey128(Vector128<byte> key)
    {
        _encryption[0] = key;
        _encryption[1] = key = Expand(key, X86Aes.KeygenAssist(key, 0x01), 0xFF);
        _encryption[2] = key = Expand(key, X86Aes.KeygenAssist(key, 0x02), 0xFF);
        _encryption[3] = key = Expand(key, X86Aes.KeygenAssist(key, 0x04), 0xFF);
        _encryption[4] = key = Expand(key, X86Aes.KeygenAssist(key, 0x08), 0xFF);
        _encryption[5] = key = Expand(key, X86Aes.KeygenAssist(key, 0x10), 0xFF);
        _encryption[6] = key = Expand(key, X86Aes.KeygenAssist(key, 0x20), 0xFF);
        _encryption[7] = key = Expand(key, X86Aes.KeygenAssist(key, 0x40), 0xFF);
        _encryption[8] = key = Expand(key, X86Aes.KeygenAssist(key, 0x80), 0xFF);
        _encryption[9] = key = Expand(key, X86Aes.KeygenAssist(key, 0x1B), 0xFF);
        _encryption[10] = Expand(key, X86Aes.KeygenAssist(key, 0x36), 0xFF);
    }

    // For AES-256 the odd round keys take SubWord(w3) without rotation or rcon (dword 2 of the assist).
    private void ExpandKey256(Vector128<byte> a, Vector128<byte> b)
    {
        _encryption[0] = a;
        _encryption[1] = b;
        _encryption[2] = a = Expand(a, X86Aes.KeygenAssist(b, 0x01), 0xFF);
        _encryption[3] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[4] = a = Expand(a, X86Aes.KeygenAssist(b, 0x02), 0xFF);
        _encryption[5] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[6] = a = Expand(a, X86Aes.KeygenAssist(b, 0x04), 0xFF);
        _encryption[7] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[8] = a = Expand(a, X86Aes.KeygenAssist(b, 0x08), 0xFF);
        _encryption[9] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[10] = a = Expand(a, X86Aes.KeygenAssist(b, 0x10), 0xFF);
        _encryption[11] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[12] = a = Expand(a, X86Aes.KeygenAssist(b, 0x20), 0xFF);
        _encryption[13] = b = Expand(b, X86Aes.KeygenAssist(a, 0x00), 0xAA);
        _encryption[14] = Expand(a, X86Aes.KeygenAssist(b, 0x40), 0xFF);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Expand(Vector128<byte> previous, Vector128<byte> assist, [ConstantExpected] byte select)
    {
        // The prefix XOR of the four words in two steps (shift by one word, then by two) rather than three.
        var t = Sse2.Shuffle(assist.AsUInt32(), select).AsByte();
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 8);
        return previous ^ t;
    }

    /// <summary>Writes the raw key back out (its first round keys), for tests that check key updates.</summary>
    public readonly void ExportKey(Span<byte> destination)
    {
        var length = (_rounds - 6) * 4;
        MemoryMarshal.AsBytes((ReadOnlySpan<Vector128<byte>>)_encryption)[..length].CopyTo(destination);
    }

    public void Clear()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)_encryption));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)_decryption));
    }

    private readonly uint SubWord(uint word)
    {
        if (_portable)
        {
            return AesPortable.SubWord(word);
        }

        // AESKEYGENASSIST puts SubWord of dword 1 in dword 0.
        return X86Aes.KeygenAssist(Vector128.Create(0u, word, 0u, 0u).AsByte(), 0).AsUInt32().ToScalar();
    }

    public readonly Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        if (_portable)
        {
            Span<byte> buffer = stackalloc byte[BlockSize];
            block.CopyTo(buffer);
            AesPortable.EncryptBlocks(EncryptionKeyBytes, _rounds, buffer);
            var result = Vector128.Create((ReadOnlySpan<byte>)buffer);
            buffer.Clear();
            return result;
        }

        ref readonly var rk = ref _encryption[0];
        block ^= rk;
        var rounds = _rounds;
        for (var r = 1; r < rounds; r++)
        {
            block = X86Aes.Encrypt(block, Unsafe.Add(ref Unsafe.AsRef(in rk), r));
        }

        return X86Aes.EncryptLast(block, Unsafe.Add(ref Unsafe.AsRef(in rk), rounds));
    }

    public readonly Vector128<byte> DecryptBlock(Vector128<byte> block)
    {
        if (_portable)
        {
            Span<byte> buffer = stackalloc byte[BlockSize];
            block.CopyTo(buffer);
            AesPortable.DecryptBlocks(EncryptionKeyBytes, _rounds, buffer);
            var result = Vector128.Create((ReadOnlySpan<byte>)buffer);
            buffer.Clear();
            return result;
        }

        ref readonly var rk = ref _decryption[0];
        block ^= rk;
        var rounds = _rounds;
        for (var r = 1; r < rounds; r++)
        {
            block = X86Aes.Decrypt(block, Unsafe.Add(ref Unsafe.AsRef(in rk), r));
        }

        return X86Aes.DecryptLast(block, Unsafe.Add(ref Unsafe.AsRef(in rk), rounds));
    }

    [UnscopedRef]
    private readonly ReadOnlySpan<byte> EncryptionKeyBytes =>
        MemoryMarshal.AsBytes((ReadOnlySpan<Vector128<byte>>)_encryption);

    /// <summary>
    /// XORs the AES-CTR keystream into <paramref name="data"/>, starting from <paramref name="counterBlock"/> read as
    /// a 128-bit big-endian counter (incremented modulo 2^128 per block).
    /// </summary>
    public readonly void XorCounterMode(Vector128<byte> counterBlock, Span<byte> data)
    {
        var hi = BinaryPrimitives.ReverseEndianness(counterBlock.AsUInt64().GetElement(0));
        var lo = BinaryPrimitives.ReverseEndianness(counterBlock.AsUInt64().GetElement(1));
        if (_portable)
        {
            XorCounterModePortable(hi, lo, data);
        }
        else
        {
            XorCounterModeIntrinsic(hi, lo, data);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(ulong hi, ulong lo, ulong add)
    {
        unchecked
        {
            var l = lo + add;
            var h = hi + (l < lo ? 1UL : 0UL);
            return Vector128.Create(BinaryPrimitives.ReverseEndianness(h), BinaryPrimitives.ReverseEndianness(l)).AsByte();
        }
    }

    /// <summary>
    /// Counter mode on AES-NI, eight blocks per pass (ten rounds of eight independent AESENCs keep both AES units of a
    /// core busy). The last pass, when shorter than 128 bytes, goes through a stack buffer that is wiped afterwards.
    /// </summary>
    [SkipLocalsInit] // The keystream buffer is written before it is read, and wiped after: zeroing it first cost every call.
    private readonly void XorCounterModeIntrinsic(ulong hi, ulong lo, Span<byte> data)
    {
        ref var d = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        var offset = 0;
        Span<Vector128<byte>> keystream = stackalloc Vector128<byte>[8];
        while (offset < length)
        {
            Vector128<byte> c0, c1, c2, c3, c4, c5, c6, c7;
            unchecked
            {
                if (lo <= ulong.MaxValue - 8)
                {
                    // No carry out of the low half in this pass: one 64-bit add and one byte shuffle per block.
                    var reverse = BlockByteReverse;
                    var one = Vector128.Create(1UL, 0UL);
                    var v = Vector128.Create(lo, hi);
                    c0 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c1 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c2 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c3 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c4 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c5 = Ssse3.Shuffle(v.AsByte(), reverse);
                    v += one;
                    c6 = Ssse3.Shuffle(v.AsByte(), reverse);
                    c7 = Ssse3.Shuffle((v + one).AsByte(), reverse);
                }
                else
                {
                    c0 = Counter(hi, lo, 0);
                    c1 = Counter(hi, lo, 1);
                    c2 = Counter(hi, lo, 2);
                    c3 = Counter(hi, lo, 3);
                    c4 = Counter(hi, lo, 4);
                    c5 = Counter(hi, lo, 5);
                    c6 = Counter(hi, lo, 6);
                    c7 = Counter(hi, lo, 7);
                }

                var next = lo + 8;
                hi += next < lo ? 1UL : 0UL;
                lo = next;
            }

            Encrypt8(ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
            ref var p = ref Unsafe.Add(ref d, offset);
            if (length - offset >= 8 * BlockSize)
            {
                XorStore(ref p, 0, c0);
                XorStore(ref p, 16, c1);
                XorStore(ref p, 32, c2);
                XorStore(ref p, 48, c3);
                XorStore(ref p, 64, c4);
                XorStore(ref p, 80, c5);
                XorStore(ref p, 96, c6);
                XorStore(ref p, 112, c7);
                offset += 8 * BlockSize;
                continue;
            }

            ref var k = ref MemoryMarshal.GetReference(keystream);
            k = c0;
            Unsafe.Add(ref k, 1) = c1;
            Unsafe.Add(ref k, 2) = c2;
            Unsafe.Add(ref k, 3) = c3;
            Unsafe.Add(ref k, 4) = c4;
            Unsafe.Add(ref k, 5) = c5;
            Unsafe.Add(ref k, 6) = c6;
            Unsafe.Add(ref k, 7) = c7;
            XorPartial(ref p, length - offset, ref Unsafe.As<Vector128<byte>, byte>(ref k));
            keystream.Clear();
            break;
        }
    }

    // Bytes 15..0: turns a (low, high) pair of 64-bit counter halves into the big-endian counter block.
    private static Vector128<byte> BlockByteReverse => Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    /// <summary>XORs the first <paramref name="length"/> (below 128) bytes of <paramref name="keystream"/> into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorPartial(ref byte destination, int length, ref byte keystream)
    {
        var i = 0;
        for (; i + BlockSize <= length; i += BlockSize)
        {
            ref var p = ref Unsafe.Add(ref destination, i);
            (Vector128.LoadUnsafe(ref p) ^ Vector128.LoadUnsafe(ref keystream, (nuint)i)).StoreUnsafe(ref p);
        }

        if (i + sizeof(ulong) <= length)
        {
            ref var p = ref Unsafe.Add(ref destination, i);
            Unsafe.WriteUnaligned(ref p, Unsafe.ReadUnaligned<ulong>(ref p) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref keystream, i)));
            i += sizeof(ulong);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref destination, i) ^= Unsafe.Add(ref keystream, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(ref byte destination, int offset, Vector128<byte> keystream)
    {
        ref var p = ref Unsafe.Add(ref destination, offset);
        (Vector128.LoadUnsafe(ref p) ^ keystream).StoreUnsafe(ref p);
    }

    /// <summary>Encrypts eight independent blocks, interleaved so the AES units stay busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Encrypt8(
        ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3,
        ref Vector128<byte> b4, ref Vector128<byte> b5, ref Vector128<byte> b6, ref Vector128<byte> b7)
    {
        ref var rk = ref Unsafe.AsRef(in _encryption[0]);
        var k = rk;
        var x0 = b0 ^ k;
        var x1 = b1 ^ k;
        var x2 = b2 ^ k;
        var x3 = b3 ^ k;
        var x4 = b4 ^ k;
        var x5 = b5 ^ k;
        var x6 = b6 ^ k;
        var x7 = b7 ^ k;
        var rounds = _rounds;
        for (var r = 1; r < rounds; r++)
        {
            k = Unsafe.Add(ref rk, r);
            x0 = X86Aes.Encrypt(x0, k);
            x1 = X86Aes.Encrypt(x1, k);
            x2 = X86Aes.Encrypt(x2, k);
            x3 = X86Aes.Encrypt(x3, k);
            x4 = X86Aes.Encrypt(x4, k);
            x5 = X86Aes.Encrypt(x5, k);
            x6 = X86Aes.Encrypt(x6, k);
            x7 = X86Aes.Encrypt(x7, k);
        }

        k = Unsafe.Add(ref rk, rounds);
        b0 = X86Aes.EncryptLast(x0, k);
        b1 = X86Aes.EncryptLast(x1, k);
        b2 = X86Aes.EncryptLast(x2, k);
        b3 = X86Aes.EncryptLast(x3, k);
        b4 = X86Aes.EncryptLast(x4, k);
        b5 = X86Aes.EncryptLast(x5, k);
        b6 = X86Aes.EncryptLast(x6, k);
        b7 = X86Aes.EncryptLast(x7, k);
    }

    private readonly void XorCounterModePortable(ulong hi, ulong lo, Span<byte> data)
    {
        Span<byte> keystream = stackalloc byte[AesPortable.MaxParallelBlocks * BlockSize];
        var keys = EncryptionKeyBytes;
        var offset = 0;
        while (offset < data.Length)
        {
            var blocks = Math.Min(AesPortable.MaxParallelBlocks, (data.Length - offset + BlockSize - 1) / BlockSize);
            for (var i = 0; i < blocks; i++)
            {
                Counter(hi, lo, (ulong)i).CopyTo(keystream[(i * BlockSize)..]);
            }

            unchecked
            {
                var next = lo + (ulong)blocks;
                hi += next < lo ? 1UL : 0UL;
                lo = next;
            }

            var bytes = keystream[..(blocks * BlockSize)];
            AesPortable.EncryptBlocks(keys, _rounds, bytes);
            var take = Math.Min(bytes.Length, data.Length - offset);
            for (var i = 0; i < take; i++)
            {
                data[offset + i] ^= bytes[i];
            }

            offset += take;
        }

        keystream.Clear();
    }
}
