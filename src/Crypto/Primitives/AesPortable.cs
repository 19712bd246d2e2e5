using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// AES in plain C#, without lookup tables, so that its timing does not depend on key or data. The S-box is computed
/// as inversion in GF(2^8) followed by the affine map, on a bitsliced form of up to 64 bytes at once (eight 64-bit
/// planes, plane j holding bit j of every byte); ShiftRows is a fixed permutation and MixColumns uses branch-free
/// doubling. Slow next to AES-NI, but identical in result; it is the fallback for processors without AES-NI.
/// </summary>
internal static class AesPortable
{
    public const int MaxParallelBlocks = 4;

    [InlineArray(8)]
    private struct Planes
    {
        private ulong _element0;
    }

    [InlineArray(15)]
    private struct Product
    {
        private ulong _element0;
    }

    /// <summary>Encrypts 1 to 4 consecutive 16-byte blocks in place.</summary>
    public static void EncryptBlocks(ReadOnlySpan<byte> roundKeys, int rounds, Span<byte> blocks)
    {
        AddRoundKey(blocks, roundKeys[..16]);
        for (var round = 1; round < rounds; round++)
        {
            SubBytes(blocks, inverse: false);
            for (var offset = 0; offset < blocks.Length; offset += 16)
            {
                var block = blocks.Slice(offset, 16);
                ShiftRows(block);
                MixColumns(block);
            }

            AddRoundKey(blocks, roundKeys.Slice(round * 16, 16));
        }

        SubBytes(blocks, inverse: false);
        for (var offset = 0; offset < blocks.Length; offset += 16)
        {
            ShiftRows(blocks.Slice(offset, 16));
        }

        AddRoundKey(blocks, roundKeys.Slice(rounds * 16, 16));
    }

    /// <summary>Decrypts 1 to 4 consecutive 16-byte blocks in place, with the encryption round keys.</summary>
    public static void DecryptBlocks(ReadOnlySpan<byte> roundKeys, int rounds, Span<byte> blocks)
    {
        AddRoundKey(blocks, roundKeys.Slice(rounds * 16, 16));
        for (var round = rounds - 1; round >= 1; round--)
        {
            for (var offset = 0; offset < blocks.Length; offset += 16)
            {
                InverseShiftRows(blocks.Slice(offset, 16));
            }

            SubBytes(blocks, inverse: true);
            AddRoundKey(blocks, roundKeys.Slice(round * 16, 16));
            for (var offset = 0; offset < blocks.Length; offset += 16)
            {
                InverseMixColumns(blocks.Slice(offset, 16));
            }
        }

        for (var offset = 0; offset < blocks.Length; offset += 16)
        {
            InverseShiftRows(blocks.Slice(offset, 16));
        }

        SubBytes(blocks, inverse: true);
        AddRoundKey(blocks, roundKeys[..16]);
    }

    /// <summary>Applies the S-box to each byte of a 32-bit word (the key schedule's SubWord).</summary>
    public static uint SubWord(uint word)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, word);
        SubBytes(bytes, inverse: false);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private static void AddRoundKey(Span<byte> blocks, ReadOnlySpan<byte> roundKey)
    {
        var k0 = BinaryPrimitives.ReadUInt64LittleEndian(roundKey);
        var k1 = BinaryPrimitives.ReadUInt64LittleEndian(roundKey[8..]);
        for (var offset = 0; offset < blocks.Length; offset += 16)
        {
            var lo = blocks.Slice(offset, 8);
            var hi = blocks.Slice(offset + 8, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(lo, BinaryPrimitives.ReadUInt64LittleEndian(lo) ^ k0);
            BinaryPrimitives.WriteUInt64LittleEndian(hi, BinaryPrimitives.ReadUInt64LittleEndian(hi) ^ k1);
        }
    }

    /// <summary>The S-box (or its inverse) on up to 64 bytes, whose length is a multiple of 4.</summary>
    private static void SubBytes(Span<byte> bytes, bool inverse)
    {
        var planes = default(Planes);
        Span<byte> chunk = stackalloc byte[8];
        var chunks = (bytes.Length + 7) / 8;
        for (var k = 0; k < chunks; k++)
        {
            var take = Math.Min(8, bytes.Length - (k * 8));
            chunk.Clear();
            bytes.Slice(k * 8, take).CopyTo(chunk);
            var x = Transpose8x8(BinaryPrimitives.ReadUInt64LittleEndian(chunk));
            for (var j = 0; j < 8; j++)
            {
                planes[j] |= ((x >> (8 * j)) & 0xFF) << (8 * k);
            }
        }

        if (inverse)
        {
            InverseAffine(ref planes);
            Invert(ref planes);
        }
        else
        {
            Invert(ref planes);
            Affine(ref planes);
        }

        for (var k = 0; k < chunks; k++)
        {
            var x = 0UL;
            for (var j = 0; j < 8; j++)
            {
                x |= ((planes[j] >> (8 * k)) & 0xFF) << (8 * j);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(chunk, Transpose8x8(x));
            var take = Math.Min(8, bytes.Length - (k * 8));
            chunk[..take].CopyTo(bytes.Slice(k * 8, take));
        }

        chunk.Clear();
    }

    /// <summary>Transposes the 8x8 bit matrix whose row i is byte i: bit (8i + j) trades places with bit (8j + i).</summary>
    private static ulong Transpose8x8(ulong x)
    {
        var t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        x ^= t ^ (t << 28);
        return x;
    }

    /// <summary>Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, on bitsliced operands.</summary>
    private static Planes Multiply(in Planes a, in Planes b)
    {
        var p = default(Product);
        for (var i = 0; i < 8; i++)
        {
            var ai = a[i];
            for (var j = 0; j < 8; j++)
            {
                p[i + j] ^= ai & b[j];
            }
        }

        // x^k = x^(k-4) + x^(k-5) + x^(k-7) + x^(k-8) for k >= 8; fold from the top down.
        for (var k = 14; k >= 8; k--)
        {
            var t = p[k];
            p[k - 4] ^= t;
            p[k - 5] ^= t;
            p[k - 7] ^= t;
            p[k - 8] ^= t;
        }

        var r = default(Planes);
        for (var i = 0; i < 8; i++)
        {
            r[i] = p[i];
        }

        return r;
    }

    /// <summary>x^254, the multiplicative inverse (0 maps to 0), by a fixed addition chain.</summary>
    private static void Invert(ref Planes x)
    {
        var x2 = Multiply(x, x);
        var x3 = Multiply(x2, x);
        var x6 = Multiply(x3, x3);
        var x7 = Multiply(x6, x);
        var x12 = Multiply(x6, x6);
        var x15 = Multiply(x12, x3);
        var x30 = Multiply(x15, x15);
        var x60 = Multiply(x30, x30);
        var x120 = Multiply(x60, x60);
        var x127 = Multiply(x120, x7);
        x = Multiply(x127, x127);
    }

    private static void Affine(ref Planes b)
    {
        var s = default(Planes);
        for (var i = 0; i < 8; i++)
        {
            s[i] = b[i] ^ b[(i + 4) & 7] ^ b[(i + 5) & 7] ^ b[(i + 6) & 7] ^ b[(i + 7) & 7];
            if (((0x63 >> i) & 1) != 0)
            {
                s[i] = ~s[i];
            }
        }

        b = s;
    }

    private static void InverseAffine(ref Planes s)
    {
        var b = default(Planes);
        for (var i = 0; i < 8; i++)
        {
            b[i] = s[(i + 2) & 7] ^ s[(i + 5) & 7] ^ s[(i + 7) & 7];
            if (((0x05 >> i) & 1) != 0)
            {
                b[i] = ~b[i];
            }
        }

        s = b;
    }

    // The state is column-major: byte (row + 4 * column).
    private static void ShiftRows(Span<byte> block)
    {
        Span<byte> old = stackalloc byte[16];
        block.CopyTo(old);
        for (var row = 1; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                block[row + (4 * column)] = old[row + (4 * ((column + row) & 3))];
            }
        }
    }

    private static void InverseShiftRows(Span<byte> block)
    {
        Span<byte> old = stackalloc byte[16];
        block.CopyTo(old);
        for (var row = 1; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                block[row + (4 * ((column + row) & 3))] = old[row + (4 * column)];
            }
        }
    }

    /// <summary>Multiplies each byte of a word by x in GF(2^8), without branches.</summary>
    private static uint Double(uint x) => unchecked(((x & 0x7F7F7F7Fu) << 1) ^ (((x >> 7) & 0x01010101u) * 0x1Bu));

    private static uint MixColumn(uint c)
    {
        var r1 = uint.RotateRight(c, 8);
        return Double(c ^ r1) ^ r1 ^ uint.RotateRight(c, 16) ^ uint.RotateRight(c, 24);
    }

    private static void MixColumns(Span<byte> block)
    {
        for (var column = 0; column < 16; column += 4)
        {
            var word = block.Slice(column, 4);
            BinaryPrimitives.WriteUInt32LittleEndian(word, MixColumn(BinaryPrimitives.ReadUInt32LittleEndian(word)));
        }
    }

    private static void InverseMixColumns(Span<byte> block)
    {
        // InvMixColumns = MixColumns after multiplying each column by (5 + 4·y^2): a_r ^= 4·(a_r ^ a_(r+2)).
        for (var column = 0; column < 16; column += 4)
        {
            var word = block.Slice(column, 4);
            var c = BinaryPrimitives.ReadUInt32LittleEndian(word);
            c ^= Double(Double(c ^ uint.RotateRight(c, 16)));
            BinaryPrimitives.WriteUInt32LittleEndian(word, MixColumn(c));
        }
    }
}
