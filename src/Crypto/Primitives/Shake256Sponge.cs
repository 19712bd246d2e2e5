using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// SHAKE-256 (FIPS 202) as a sponge that absorbs, then squeezes output in as many pieces as the caller likes.
/// </summary>
/// <remarks>
/// The BCL's <see cref="Shake256.Read(Span{byte})"/> does this only where the OS library can squeeze more than
/// once (OpenSSL 3.3 and later); elsewhere it throws <see cref="PlatformNotSupportedException"/>. Handshake key
/// streams must be readable piece by piece on every platform, so the permutation is computed here. One-shot
/// hashing stays with the BCL; the tests check this sponge against it.
/// </remarks>
internal struct Shake256Sponge
{
    /// <summary>SHAKE-256's rate in bytes: 1600 bits of state minus twice the 256-bit security level.</summary>
    public const int RateBytes = 136;

    private const int Lanes = 25;

    private LaneArray _state;
    private int _offset;
    private bool _squeezing;

    /// <summary>XORs <paramref name="data"/> into the state; only valid before the first <see cref="Squeeze"/>.</summary>
    public void Absorb(ReadOnlySpan<byte> data)
    {
        if (_squeezing)
        {
            throw new InvalidOperationException("SHAKE-256 cannot absorb after it has started squeezing.");
        }

        Span<byte> state = StateBytes();
        while (!data.IsEmpty)
        {
            var take = Math.Min(RateBytes - _offset, data.Length);
            Xor(state.Slice(_offset, take), data[..take]);
            _offset += take;
            data = data[take..];
            if (_offset == RateBytes)
            {
                Permute();
                _offset = 0;
            }
        }
    }

    /// <summary>Writes the next <paramref name="destination"/>.Length bytes of output.</summary>
    public void Squeeze(Span<byte> destination)
    {
        Span<byte> state = StateBytes();
        if (!_squeezing)
        {
            // SHAKE's domain bits 1111 followed by pad10*1.
            state[_offset] ^= 0x1F;
            state[RateBytes - 1] ^= 0x80;
            Permute();
            _offset = 0;
            _squeezing = true;
        }

        while (!destination.IsEmpty)
        {
            if (_offset == RateBytes)
            {
                Permute();
                _offset = 0;
            }

            var take = Math.Min(RateBytes - _offset, destination.Length);
            state.Slice(_offset, take).CopyTo(destination);
            _offset += take;
            destination = destination[take..];
        }
    }

    /// <summary>Wipes the state (it determines all further output).</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(StateBytes());
        _offset = 0;
        _squeezing = false;
    }

    [UnscopedRef]
    private Span<byte> StateBytes()
    {
        Span<ulong> lanes = _state;
        return MemoryMarshal.AsBytes(lanes);
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> source)
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] ^= source[i];
        }
    }

    private void Permute()
    {
        Span<ulong> a = _state;
        if (!BitConverter.IsLittleEndian)
        {
            // The byte view of the state is little-endian lanes by definition.
            for (var i = 0; i < Lanes; i++)
            {
                a[i] = BinaryPrimitives.ReverseEndianness(a[i]);
            }
        }

        KeccakF1600(a);

        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < Lanes; i++)
            {
                a[i] = BinaryPrimitives.ReverseEndianness(a[i]);
            }
        }

    }

    /// <summary>Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota over 25 lanes indexed x + 5y.</summary>
    private static void KeccakF1600(Span<ulong> a)
    {
        ReadOnlySpan<ulong> roundConstants =
        [
            0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
            0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
            0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
            0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
            0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
            0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
        ];

        // rho rotation for lane x + 5y.
        ReadOnlySpan<byte> rotation =
        [
            0, 1, 62, 28, 27,
            36, 44, 6, 55, 20,
            3, 10, 43, 25, 39,
            41, 45, 15, 21, 8,
            18, 2, 61, 56, 14,
        ];

        // pi: lane x + 5y moves to lane y + 5((2x + 3y) mod 5).
        ReadOnlySpan<byte> destination =
        [
            0, 10, 20, 5, 15,
            16, 1, 11, 21, 6,
            7, 17, 2, 12, 22,
            23, 8, 18, 3, 13,
            14, 24, 9, 19, 4,
        ];

        Span<ulong> c = stackalloc ulong[5];
        Span<ulong> b = stackalloc ulong[Lanes];
        for (var round = 0; round < 24; round++)
        {
            for (var x = 0; x < 5; x++)
            {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }

            for (var x = 0; x < 5; x++)
            {
                var d = c[(x + 4) % 5] ^ ulong.RotateLeft(c[(x + 1) % 5], 1);
                for (var y = 0; y < Lanes; y += 5)
                {
                    a[x + y] ^= d;
                }
            }

            for (var i = 0; i < Lanes; i++)
            {
                b[destination[i]] = ulong.RotateLeft(a[i], rotation[i]);
            }

            for (var y = 0; y < Lanes; y += 5)
            {
                var b0 = b[y];
                var b1 = b[y + 1];
                var b2 = b[y + 2];
                var b3 = b[y + 3];
                var b4 = b[y + 4];
                a[y] = b0 ^ (~b1 & b2);
                a[y + 1] = b1 ^ (~b2 & b3);
                a[y + 2] = b2 ^ (~b3 & b4);
                a[y + 3] = b3 ^ (~b4 & b0);
                a[y + 4] = b4 ^ (~b0 & b1);
            }

            a[0] ^= roundConstants[round];
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(b));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(c));
    }

    [InlineArray(Lanes)]
    private struct LaneArray
    {
        private ulong _lane;
    }
}
