using System.Runtime.InteropServices;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;
using NSec.Cryptography;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public class LibsodiumInteropTests
{
    [Fact]
    public void Libsodium_resolves_and_is_recent_enough()
    {
        // The same name the bindings use, resolved the way the runtime resolves them (deps.json native assets).
        Assert.True(NativeLibrary.TryLoad("libsodium", typeof(HiddenId).Assembly, null, out var handle));
        Assert.NotEqual(IntPtr.Zero, handle);
        Assert.True(NativeLibrary.TryGetExport(handle, "crypto_core_ed25519_scalar_mul", out _));

        // crypto_core_ed25519_scalar_mul and the _noclamp functions arrived in libsodium 1.0.18 (ABI 10.3).
        var (major, minor) = Ed25519Arithmetic.LibraryVersion;
        Assert.True(major > 10 || (major == 10 && minor >= 3), $"libsodium ABI {major}.{minor}");
    }

    [Fact]
    public void Is_valid_point_accepts_prime_order_points_only()
    {
        Assert.True(Ed25519Arithmetic.IsValidPoint(TestPoints.ValidKey));
        Assert.True(Ed25519Arithmetic.IsValidPoint(Ed25519Arithmetic.BasePoint));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.Identity));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.OrderTwo));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.OrderEight));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.Torsioned()));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.NotOnCurve));
        Assert.False(Ed25519Arithmetic.IsValidPoint(TestPoints.NonCanonical));
    }

    [Fact]
    public void Canonical_curve_point_check_separates_torsion_from_garbage()
    {
        Assert.True(Ed25519Arithmetic.IsCanonicalCurvePoint(TestPoints.ValidKey));
        Assert.True(Ed25519Arithmetic.IsCanonicalCurvePoint(TestPoints.Torsioned()));
        Assert.True(Ed25519Arithmetic.IsCanonicalCurvePoint(TestPoints.OrderEight));
        Assert.False(Ed25519Arithmetic.IsCanonicalCurvePoint(TestPoints.NotOnCurve));
        Assert.False(Ed25519Arithmetic.IsCanonicalCurvePoint(TestPoints.NonCanonical));
    }

    [Fact]
    public void Base_multiplication_matches_NSec_public_keys()
    {
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var expected = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        var expanded = new byte[64];
        Ed25519ExpandedSigning.ExpandSeed(seed, expanded);
        var derived = new byte[32];
        Ed25519ExpandedSigning.DerivePublicKey(expanded, derived);
        Assert.Equal(expected, derived);
        Assert.Equal(TestPoints.ValidKey, derived);
    }

    [Fact]
    public void Scalar_arithmetic_is_modulo_l()
    {
        var lMinusOne = Ed25519Arithmetic.GroupOrder.ToArray();
        lMinusOne[0]--;
        var one = new byte[32];
        one[0] = 1;
        var result = new byte[32];

        Ed25519Arithmetic.AddScalars(lMinusOne, one, result);
        Assert.All(result, b => Assert.Equal(0, b));

        Ed25519Arithmetic.MultiplyScalars(lMinusOne, lMinusOne, result); // (-1)(-1) = 1
        Assert.Equal(one, result);

        Ed25519Arithmetic.Reduce(Ed25519Arithmetic.GroupOrder, result);
        Assert.All(result, b => Assert.Equal(0, b));

        var wide = new byte[64];
        Ed25519Arithmetic.GroupOrder.CopyTo(wide);
        wide[0]++; // l + 1
        Ed25519Arithmetic.Reduce(wide, result);
        Assert.Equal(one, result);
    }

    [Fact]
    public void Multiplication_refuses_invalid_points_and_zero_scalars()
    {
        var product = new byte[32];
        var two = new byte[32];
        two[0] = 2;
        Assert.True(Ed25519Arithmetic.TryMultiply(two, TestPoints.ValidKey, product));
        Assert.False(Ed25519Arithmetic.TryMultiply(two, TestPoints.Torsioned(), product));
        Assert.False(Ed25519Arithmetic.TryMultiply(two, TestPoints.NotOnCurve, product));
        Assert.False(Ed25519Arithmetic.TryMultiply(two, TestPoints.Identity, product));
        Assert.False(Ed25519Arithmetic.TryMultiplyBase(new byte[32], product));
        Assert.False(Ed25519Arithmetic.TryAdd(TestPoints.NotOnCurve, TestPoints.ValidKey, product));
    }

    [Fact]
    public void Wrong_buffer_lengths_are_caller_errors()
    {
        Assert.Throws<ArgumentException>(() => Ed25519Arithmetic.IsValidPoint(new byte[31]));
        Assert.Throws<ArgumentException>(() => Ed25519Arithmetic.Reduce(new byte[33], new byte[32]));
        Assert.Throws<ArgumentException>(() => Ed25519Arithmetic.MultiplyScalars(new byte[32], new byte[32], new byte[31]));
        Assert.Throws<ArgumentException>(() => Ed25519Arithmetic.TryMultiplyBase(new byte[32], new byte[64]));
    }
}
