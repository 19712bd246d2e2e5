using System.Runtime.Intrinsics;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Cgo;

public sealed class PolyvalTests
{
    public static TheoryData<PrimitiveImplementation> Implementations => CgoTestSupport.Implementations;

    // RFC 8452 appendix A: POLYVAL(H, X_1, X_2).
    [Theory]
    [MemberData(nameof(Implementations))]
    public void Rfc8452_worked_example(PrimitiveImplementation implementation)
    {
        var key = default(PolyvalKey);
        key.SetKey(Convert.FromHexString("25629347589242761d31f826ba4b757b"), PolyvalKey.MaxPowers, implementation);
        var message = Convert.FromHexString("4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362");
        var result = new byte[16];
        key.Hash(message, result);
        Assert.Equal("f7a3b47b846119fae5b7866cf5e5b77e", Convert.ToHexStringLower(result));
    }

    [Fact]
    public void Portable_and_intrinsic_agree_on_random_input()
    {
        var random = new Random(8452);
        foreach (var length in new[] { 0, 16, 32, 100, 128, 256, 509, 512, 1024, 2000 })
        {
            for (var trial = 0; trial < 8; trial++)
            {
                var h = new byte[16];
                var message = new byte[length];
                random.NextBytes(h);
                random.NextBytes(message);
                var fast = default(PolyvalKey);
                var slow = default(PolyvalKey);
                var single = default(PolyvalKey);
                fast.SetKey(h, PolyvalKey.MaxPowers, PrimitiveImplementation.Intrinsic);
                slow.SetKey(h, PolyvalKey.MaxPowers, PrimitiveImplementation.Portable);
                single.SetKey(h, 1, PrimitiveImplementation.Intrinsic);
                var a = new byte[16];
                var b = new byte[16];
                var c = new byte[16];
                fast.Hash(message, a);
                slow.Hash(message, b);
                single.Hash(message, c);
                Assert.Equal(a, b);
                Assert.Equal(a, c);
            }
        }
    }

    [Fact]
    public void Multiplication_is_commutative_and_distributive_on_both_paths()
    {
        var random = new Random(1);
        foreach (var implementation in CgoTestSupport.AvailableImplementations)
        {
            var key = default(PolyvalKey);
            key.SetKey(new byte[16], 1, implementation);
            for (var i = 0; i < 32; i++)
            {
                var a = Vector128.Create((ulong)random.NextInt64(), (ulong)random.NextInt64());
                var b = Vector128.Create((ulong)random.NextInt64(), (ulong)random.NextInt64());
                var c = Vector128.Create((ulong)random.NextInt64(), (ulong)random.NextInt64());
                Assert.Equal(key.Multiply(a, b), key.Multiply(b, a));
                Assert.Equal(key.Multiply(a, b ^ c), key.Multiply(a, b) ^ key.Multiply(a, c));
            }
        }
    }
}
