using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Tests.Vectors;
using NSec.Cryptography;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public class KeyBlindingTests
{
    public static TheoryData<string> Files => VectorFiles.Named("key_blinding", ".txt");

    [Theory]
    [MemberData(nameof(Files))]
    public void Period_blinding_reproduces_the_vector_end_to_end(string fileName)
    {
        var file = KeyBlindingVectorFile.Load(VectorFiles.PathOf(fileName));
        if (file.Period is not { } v)
        {
            Assert.NotEmpty(file.Raw); // a file of raw vectors only; they run in the next test
            return;
        }

        var period = TimePeriod.FromInstant(v.Instant, v.PeriodLengthMinutes, v.RotationOffsetMinutes);
        Assert.Equal(v.PeriodNumber, period.Number);
        Assert.True(period.Contains(v.Instant));

        using var identity = HiddenPointIdentitySecretKey.FromExpandedSecret(v.ExpandedSecret);
        Assert.Equal(v.IdentityKey, identity.PublicKey.Bytes.ToArray());

        var factor = new byte[32];
        KeyBlinding.ComputeFactor(identity.PublicKey.Bytes, period, KeyBlindingLabels.Tor, v.Secret, factor);
        Assert.Equal(v.Factor, factor);

        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Tor, v.Secret);
        Assert.Equal(v.BlindedKey, blinded.Bytes.ToArray());

        var subcredential = KeyBlinding.ComputeSubcredential(identity.PublicKey, blinded, KeyBlindingLabels.Tor);
        Assert.Equal(v.Subcredential, subcredential.Bytes.ToArray());
        Assert.Equal(subcredential, KeyBlinding.ComputeSubcredential(identity.PublicKey, period, KeyBlindingLabels.Tor, v.Secret));

        using var signing = KeyBlinding.BlindSigningKey(identity, period, KeyBlindingLabels.Tor, v.Secret);
        Assert.Equal(blinded, signing.PublicKey);
        Assert.Equal(period, signing.Period);
        TestPoints.AssertScalarsEqualModL(v.BlindedExpandedSecret.AsSpan(0, 32), signing.ExpandedSecretForTesting[..32]);
        Assert.Equal(v.BlindedExpandedSecret[32..], signing.ExpandedSecretForTesting[32..].ToArray());

        AssertSignsVerifiably(signing);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Raw_blinding_reproduces_every_vector(string fileName)
    {
        var file = KeyBlindingVectorFile.Load(VectorFiles.PathOf(fileName));
        foreach (var v in file.Raw)
        {
            using var identity = HiddenPointIdentitySecretKey.FromSeed(v.Seed);
            TestPoints.AssertScalarsEqualModL(v.ExpandedSecret.AsSpan(0, 32), identity.ExpandedSecret[..32]);
            Assert.Equal(v.ExpandedSecret[32..], identity.ExpandedSecret[32..].ToArray());
            Assert.Equal(v.PublicKey, identity.PublicKey.Bytes.ToArray());
            Assert.True(Ed25519Arithmetic.IsValidPoint(identity.PublicKey.Bytes));

            if (v.Curve25519PublicKey is not null)
            {
                var montgomery = new byte[32];
                Assert.True(Ed25519Arithmetic.TryConvertToX25519(v.PublicKey, montgomery));
                Assert.Equal(v.Curve25519PublicKey, montgomery);
            }

            if (v.SelfSignature is not null)
            {
                // Signing from the expanded secret reproduces RFC 8032 signatures byte for byte.
                var signature = new byte[64];
                identity.Sign(v.PublicKey, signature);
                Assert.Equal(v.SelfSignature, signature);
            }

            var blinded = KeyBlinding.BlindPublicKeyWithFactor(v.PublicKey, v.Factor);
            Assert.Equal(v.BlindedPublicKey, blinded.Bytes.ToArray());

            using var signing = KeyBlinding.BlindSigningKeyWithFactor(
                v.ExpandedSecret, v.Factor, KeyBlindingLabels.Tor, new TimePeriod(0));
            TestPoints.AssertScalarsEqualModL(v.BlindedExpandedSecret.AsSpan(0, 32), signing.ExpandedSecretForTesting[..32]);
            Assert.Equal(v.BlindedExpandedSecret[32..], signing.ExpandedSecretForTesting[32..].ToArray());
            Assert.Equal(blinded, signing.PublicKey);
            AssertSignsVerifiably(signing);
        }
    }

    [Fact]
    public void Blinding_public_and_secret_halves_agree_for_hpc_labels()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var period = TimePeriod.FromInstant(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        using var signing = KeyBlinding.BlindSigningKey(identity, period, KeyBlindingLabels.Hpc);
        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);
        Assert.Equal(blinded, signing.PublicKey);
        AssertSignsVerifiably(signing);
    }

    [Fact]
    public void Blinded_keys_differ_by_network_period_and_secret()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        var period = new TimePeriod(20000);
        var hpc = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);
        Assert.NotEqual(hpc, KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Tor));
        Assert.NotEqual(hpc, KeyBlinding.BlindPublicKey(identity.PublicKey, period.Next(), KeyBlindingLabels.Hpc));
        Assert.NotEqual(hpc, KeyBlinding.BlindPublicKey(identity.PublicKey, new TimePeriod(20000, 720), KeyBlindingLabels.Hpc));
        Assert.NotEqual(hpc, KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc, [1, 2, 3]));
        Assert.Equal(hpc, KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc));
        Assert.NotEqual(
            KeyBlinding.ComputeSubcredential(identity.PublicKey, period, KeyBlindingLabels.Hpc),
            KeyBlinding.ComputeSubcredential(identity.PublicKey, period.Next(), KeyBlindingLabels.Hpc));
    }

    [Fact]
    public void A_blinded_signature_does_not_verify_under_the_identity_key_or_when_tampered()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var signing = KeyBlinding.BlindSigningKey(identity, new TimePeriod(7), KeyBlindingLabels.Hpc);
        var message = "descriptor-signing-key certificate"u8.ToArray();
        var signature = new byte[64];
        signing.Sign(message, signature);
        Assert.True(signing.PublicKey.Verify(message, signature));

        var identityKey = PublicKey.Import(SignatureAlgorithm.Ed25519, identity.PublicKey.Bytes, KeyBlobFormat.RawPublicKey);
        Assert.False(SignatureAlgorithm.Ed25519.Verify(identityKey, message, signature));

        for (var i = 0; i < 64; i += 9)
        {
            var tampered = (byte[])signature.Clone();
            tampered[i] ^= 1;
            Assert.False(signing.PublicKey.Verify(message, tampered));
        }

        Assert.False(signing.PublicKey.Verify(message, signature.AsSpan(0, 63)));
        message[0] ^= 1;
        Assert.False(signing.PublicKey.Verify(message, signature));
    }

    [Fact]
    public void Blinded_keys_from_the_network_must_be_prime_order_points()
    {
        Assert.False(BlindedPublicKey.TryCreate(TestPoints.Torsioned(), out var key));
        Assert.Null(key);
        Assert.False(BlindedPublicKey.TryCreate(TestPoints.NotOnCurve, out _));
        Assert.False(BlindedPublicKey.TryCreate(TestPoints.Identity, out _));
        Assert.False(BlindedPublicKey.TryCreate(new byte[31], out _));
        Assert.True(BlindedPublicKey.TryCreate(TestPoints.ValidKey, out key));
        Assert.Equal(TestPoints.ValidKey, key!.Bytes.ToArray());
    }

    [Fact]
    public void Disposed_secret_keys_refuse_to_sign()
    {
        var identity = HiddenPointIdentitySecretKey.Generate();
        var signing = KeyBlinding.BlindSigningKey(identity, new TimePeriod(1), KeyBlindingLabels.Hpc);
        identity.Dispose();
        signing.Dispose();
        var signature = new byte[64];
        Assert.Throws<ObjectDisposedException>(() => identity.Sign([1], signature));
        Assert.Throws<ObjectDisposedException>(() => signing.Sign([1], signature));
        Assert.Throws<ObjectDisposedException>(() => KeyBlinding.BlindSigningKey(identity, new TimePeriod(1), KeyBlindingLabels.Hpc));
    }

    [Fact]
    public void Seeds_give_the_same_keys_as_NSec()
    {
        var seed = new byte[32];
        for (var i = 0; i < 16; i++)
        {
            Random.Shared.NextBytes(seed);
            using var nsec = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
            using var ours = HiddenPointIdentitySecretKey.FromSeed(seed);
            Assert.Equal(nsec.PublicKey.Export(KeyBlobFormat.RawPublicKey), ours.PublicKey.Bytes.ToArray());

            var message = new byte[i * 7];
            Random.Shared.NextBytes(message);
            var signature = new byte[64];
            ours.Sign(message, signature);
            Assert.Equal(SignatureAlgorithm.Ed25519.Sign(nsec, message), signature);
        }
    }

    [Fact]
    public void Time_periods_start_at_noon_utc_by_default()
    {
        var noon = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var period = TimePeriod.FromInstant(noon);
        Assert.Equal(noon, period.Start);
        Assert.Equal(noon.AddDays(1), period.End);
        Assert.Equal((ulong)((noon.ToUnixTimeSeconds() / 60) - 720) / 1440, period.Number);
        Assert.Equal(period.Number - 1, TimePeriod.FromInstant(noon.AddSeconds(-1)).Number);
        Assert.Equal(period, TimePeriod.FromInstant(noon.AddDays(1).AddTicks(-1)));
        Assert.Equal(period.Next(), TimePeriod.FromInstant(noon.AddDays(1)));
        Assert.Equal(period, period.Next().Previous());
        Assert.False(period.Contains(period.End));

        var hourly = TimePeriod.FromInstant(noon.AddMinutes(90), 60, 0);
        Assert.Equal(noon.AddHours(1), hourly.Start);
    }

    [Fact]
    public void Time_period_arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimePeriod.FromInstant(DateTimeOffset.UnixEpoch.AddHours(11)));
        Assert.Equal(0UL, TimePeriod.FromInstant(DateTimeOffset.UnixEpoch.AddHours(12)).Number);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePeriod(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePeriod(1, 1440, 1440));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePeriod(ulong.MaxValue));
        Assert.Throws<InvalidOperationException>(() => new TimePeriod(0).Previous());
        Assert.Throws<ArgumentException>(() => KeyBlinding.BlindPublicKey(
            HiddenPointIdentitySecretKey.Generate().PublicKey, default, KeyBlindingLabels.Hpc));
    }

    private static void AssertSignsVerifiably(BlindedSigningKey signing)
    {
        // Derived keys skip the subgroup check on creation; they must pass it anyway.
        Assert.True(Ed25519Arithmetic.IsValidPoint(signing.PublicKey.Bytes));
        var message = "hidden point descriptor"u8.ToArray();
        var signature = new byte[64];
        signing.Sign(message, signature);
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, signing.PublicKey.Bytes, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature));
        Assert.True(signing.PublicKey.Verify(message, signature));
    }
}
