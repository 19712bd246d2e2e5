using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

/// <summary>Curve points with known defects, for tests that bad keys are refused.</summary>
internal static class TestPoints
{
    /// <summary>The RFC 8032 test 1 public key, a valid point of prime order.</summary>
    public static byte[] ValidKey { get; } =
        Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    /// <summary>The identity (0, 1), of order 1.</summary>
    public static byte[] Identity { get; } =
        Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000");

    /// <summary>(0, -1), of order 2.</summary>
    public static byte[] OrderTwo { get; } =
        Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

    /// <summary>A point of order 8 (from libsodium's small-order list).</summary>
    public static byte[] OrderEight { get; } =
        Convert.FromHexString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");

    /// <summary>y = 2: (y² - 1)/(d·y² + 1) is not a square mod p, so no x exists.</summary>
    public static byte[] NotOnCurve { get; } =
        Convert.FromHexString("0200000000000000000000000000000000000000000000000000000000000000");

    /// <summary>y = p = 2^255 - 19: a non-canonical encoding (of y = 0).</summary>
    public static byte[] NonCanonical { get; } =
        Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

    /// <summary>A valid key plus a point of order 8: on the curve, of order 8l, so with a torsion component.</summary>
    public static byte[] Torsioned()
    {
        var sum = new byte[32];
        Assert.True(Ed25519Arithmetic.TryAdd(ValidKey, OrderEight, sum));
        return sum;
    }

    /// <summary>The 56-character encoding of arbitrary key bytes with a correct checksum for <paramref name="labels"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> key, HiddenIdLabels labels)
    {
        var decoded = new byte[35];
        key.CopyTo(decoded);
        HiddenId.ComputeChecksum(key, labels, decoded.AsSpan(32, 2));
        decoded[34] = labels.Version;
        var text = new char[56];
        Base32.Encode(decoded, text);
        return new string(text);
    }

    /// <summary>x mod l and y mod l are equal.</summary>
    public static void AssertScalarsEqualModL(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        var e = new byte[32];
        var a = new byte[32];
        Ed25519Arithmetic.Reduce(expected, e);
        Ed25519Arithmetic.Reduce(actual, a);
        Assert.Equal(Convert.ToHexStringLower(e), Convert.ToHexStringLower(a));
    }
}
