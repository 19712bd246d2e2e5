using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// AES in counter mode with a 128-bit big-endian counter, as ntor v3, hs_ntor and hidden-point descriptors use it
/// (their "STREAM" / "ENC": AES-256-CTR, IV given, usually zero). Not the relay hot path: CGO has its own
/// allocation-free AES.
/// </summary>
public static class AesCtr
{
    private const int BlockSize = 16;

    /// <summary>XORs the keystream of AES-CTR(<paramref name="key"/>, <paramref name="iv"/>) into <paramref name="data"/>.</summary>
    /// <param name="key">16, 24 or 32 bytes.</param>
    /// <param name="iv">The initial counter block, 16 bytes.</param>
    /// <param name="data">Encrypted or decrypted in place.</param>
    public static void Xor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES key must be 16, 24 or 32 bytes.", nameof(key));
        }

        if (iv.Length != BlockSize)
        {
            throw new ArgumentException("AES-CTR IV must be 16 bytes.", nameof(iv));
        }

        using var aes = Aes.Create();
        aes.Key = key.ToArray();

        // Counter blocks are generated a chunk at a time and encrypted in one ECB call.
        const int ChunkBlocks = 32;
        Span<byte> counters = stackalloc byte[ChunkBlocks * BlockSize];
        Span<byte> keystream = stackalloc byte[ChunkBlocks * BlockSize];
        var high = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
        try
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var blocks = Math.Min(ChunkBlocks, (data.Length - offset + BlockSize - 1) / BlockSize);
                for (var i = 0; i < blocks; i++)
                {
                    BinaryPrimitives.WriteUInt64BigEndian(counters[(i * BlockSize)..], high);
                    BinaryPrimitives.WriteUInt64BigEndian(counters[((i * BlockSize) + 8)..], low);
                    low = unchecked(low + 1);
                    if (low == 0)
                    {
                        high = unchecked(high + 1);
                    }
                }

                var bytes = blocks * BlockSize;
                aes.EncryptEcb(counters[..bytes], keystream[..bytes], PaddingMode.None);
                var take = Math.Min(bytes, data.Length - offset);
                for (var i = 0; i < take; i++)
                {
                    data[offset + i] ^= keystream[i];
                }

                offset += take;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keystream);
        }
    }
}
