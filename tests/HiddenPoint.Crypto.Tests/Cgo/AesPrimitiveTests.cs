using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Cgo;

public sealed class AesPrimitiveTests
{
    public static TheoryData<PrimitiveImplementation> Implementations => CgoTestSupport.Implementations;

    // FIPS-197 appendix C.
    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a")]
    [InlineData("000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089")]
    public void Fips197_block_vectors_on_every_path(string keyHex, string cipherHex)
    {
        var plain = Convert.FromHexString("00112233445566778899aabbccddeeff");
        foreach (var implementation in CgoTestSupport.AvailableImplementations)
        {
            var schedule = default(AesKeySchedule);
            schedule.SetKey(Convert.FromHexString(keyHex), implementation, AesDirections.Both);
            var encrypted = schedule.EncryptBlock(Vector128.Create(plain));
            Assert.Equal(cipherHex, Convert.ToHexStringLower(AsBytes(encrypted)));
            var decrypted = schedule.DecryptBlock(encrypted);
            Assert.Equal(plain, AsBytes(decrypted));
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Portable_and_intrinsic_agree_on_random_blocks(int keyLength)
    {
        var random = new Random(keyLength);
        for (var trial = 0; trial < 64; trial++)
        {
            var key = new byte[keyLength];
            var block = new byte[16];
            random.NextBytes(key);
            random.NextBytes(block);
            var fast = default(AesKeySchedule);
            var slow = default(AesKeySchedule);
            fast.SetKey(key, PrimitiveImplementation.Intrinsic, AesDirections.Both);
            slow.SetKey(key, PrimitiveImplementation.Portable, AesDirections.Both);
            var input = Vector128.Create(block);
            Assert.Equal(fast.EncryptBlock(input), slow.EncryptBlock(input));
            Assert.Equal(fast.DecryptBlock(input), slow.DecryptBlock(input));
            Assert.Equal(input, slow.DecryptBlock(slow.EncryptBlock(input)));
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void AesCtr_matches_the_platform_aes_in_ecb(PrimitiveImplementation implementation)
    {
        var random = new Random(7);
        foreach (var keyLength in new[] { 16, 24, 32 })
        {
            foreach (var length in new[] { 0, 1, 15, 16, 17, 127, 128, 129, 493, 1000 })
            {
                var key = new byte[keyLength];
                var iv = new byte[16];
                var data = new byte[length];
                random.NextBytes(key);
                random.NextBytes(iv);
                random.NextBytes(data);
                if (length == 493)
                {
                    // Start three blocks short of a 64-bit and 128-bit wrap so carries are exercised.
                    iv.AsSpan().Fill(0xFF);
                    iv[15] = 0xFD;
                }

                var expected = ReferenceCtr(key, iv, data);
                var actual = data.ToArray();
                AesCtr.Xor(key, iv, actual, implementation);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void AesCtr_carries_into_the_high_half_wherever_the_low_half_wraps(PrimitiveImplementation implementation)
    {
        // The intrinsic path builds a pass's eight counters by 64-bit vector adds when the low half cannot wrap within
        // the pass, and one by one with the carry otherwise: wraps at every position of a pass, and just past one.
        var random = new Random(128);
        var key = new byte[16];
        random.NextBytes(key);
        foreach (var blocksBeforeWrap in new[] { 1, 2, 7, 8, 9, 15, 16, 17, 31 })
        {
            foreach (var length in new[] { 100, 493, 509 })
            {
                var iv = new byte[16];
                random.NextBytes(iv.AsSpan(0, 8));
                BinaryPrimitives.WriteUInt64BigEndian(iv.AsSpan(8), unchecked(0UL - (ulong)blocksBeforeWrap));
                var data = new byte[length];
                random.NextBytes(data);
                var actual = data.ToArray();
                AesCtr.Xor(key, iv, actual, implementation);
                Assert.Equal(ReferenceCtr(key, iv, data), actual);
            }
        }
    }

    [Fact]
    public void AesCtr_rejects_bad_lengths()
    {
        var data = new byte[32];
        Assert.Throws<ArgumentException>(() => AesCtr.Xor(new byte[15], new byte[16], data));
        Assert.Throws<ArgumentException>(() => AesCtr.Xor(new byte[16], new byte[15], data));
        Assert.Throws<ArgumentException>(() => AesCtr.Xor(new byte[33], new byte[16], data));
    }

    private static byte[] ReferenceCtr(byte[] key, byte[] iv, byte[] data)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var output = data.ToArray();
        var hi = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var lo = BinaryPrimitives.ReadUInt64BigEndian(iv.AsSpan(8));
        var counter = new byte[16];
        for (var offset = 0; offset < output.Length; offset += 16)
        {
            BinaryPrimitives.WriteUInt64BigEndian(counter, hi);
            BinaryPrimitives.WriteUInt64BigEndian(counter.AsSpan(8), lo);
            var keystream = aes.EncryptEcb(counter, PaddingMode.None);
            for (var i = 0; i < 16 && offset + i < output.Length; i++)
            {
                output[offset + i] ^= keystream[i];
            }

            lo = unchecked(lo + 1);
            if (lo == 0)
            {
                hi = unchecked(hi + 1);
            }
        }

        return output;
    }

    private static byte[] AsBytes(Vector128<byte> v)
    {
        var bytes = new byte[16];
        v.CopyTo(bytes);
        return bytes;
    }
}
