using System.Buffers.Binary;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Protocol.Tests.HiddenPoints;

public sealed class Ed25519CertificateTests
{
    private static readonly DateTimeOffset s_expires = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Blinded_key_certifies_the_descriptor_signing_key()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var blinded = KeyBlinding.BlindSigningKey(identity, new TimePeriod(20000), KeyBlindingLabels.Hpc);
        using var signing = HsDescriptorSigningKey.Generate();

        var cert = Ed25519Certificate.Create(
            Ed25519CertificateType.DescriptorSigning, s_expires, Ed25519CertifiedKeyType.Ed25519, signing.PublicKey.Bytes, blinded);

        Assert.Equal(Ed25519Certificate.StandardLength, cert.Encoded.Length);
        Assert.True(Ed25519Certificate.TryParse(cert.Encoded, out var parsed, out var error), error.ToString());
        Assert.Equal(Ed25519CertificateType.DescriptorSigning, parsed.Type);
        Assert.Equal(Ed25519CertifiedKeyType.Ed25519, parsed.CertifiedKeyType);
        Assert.True(parsed.CertifiedKey.SequenceEqual(signing.PublicKey.Bytes));
        Assert.Equal(blinded.PublicKey.Key, parsed.SigningKey);
        Assert.Equal(s_expires, parsed.Expires);
        Assert.True(parsed.VerifySignature(blinded.PublicKey.Key));
        Assert.False(parsed.VerifySignature(signing.PublicKey));
    }

    [Fact]
    public void Expiry_is_rounded_up_to_the_hour_and_is_exclusive()
    {
        using var signing = HsDescriptorSigningKey.Generate();
        var cert = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_expires.AddMinutes(1), Ed25519CertifiedKeyType.Ed25519, new byte[32], signing);
        Assert.Equal(s_expires.AddHours(1), cert.Expires);
        Assert.False(cert.IsExpiredAt(s_expires.AddHours(1).AddTicks(-1)));
        Assert.True(cert.IsExpiredAt(s_expires.AddHours(1)));
    }

    [Fact]
    public void Expiry_past_year_9999_saturates()
    {
        using var signing = HsDescriptorSigningKey.Generate();
        var bytes = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_expires, Ed25519CertifiedKeyType.Ed25519, new byte[32], signing).Encoded.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), uint.MaxValue);
        Assert.True(Ed25519Certificate.TryParse(bytes, out var cert, out _));
        Assert.Equal(DateTimeOffset.MaxValue, cert.Expires);
        Assert.False(cert.IsExpiredAt(s_expires));
    }

    [Fact]
    public void Any_flipped_bit_breaks_the_signature_or_the_parse()
    {
        using var signing = HsDescriptorSigningKey.Generate();
        var cert = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointEncryption, s_expires, Ed25519CertifiedKeyType.X25519, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), signing);
        var bytes = cert.Encoded.ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= 0x10;
            if (Ed25519Certificate.TryParse(bytes, out var tampered, out _))
            {
                Assert.False(tampered.VerifySignature(signing.PublicKey), $"byte {i}");
            }

            bytes[i] ^= 0x10;
        }
    }

    [Fact]
    public void Named_signer_must_match_the_verifying_key()
    {
        using var signing = HsDescriptorSigningKey.Generate();
        using var other = HsDescriptorSigningKey.Generate();
        var cert = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_expires, Ed25519CertifiedKeyType.Ed25519, new byte[32], signing);
        Assert.False(cert.VerifySignature(other.PublicKey));
    }

    [Theory]
    [InlineData(0, Ed25519CertificateError.Truncated)]
    [InlineData(39, Ed25519CertificateError.Truncated)]
    [InlineData(Ed25519Certificate.StandardLength - 1, Ed25519CertificateError.Truncated)]
    public void Short_input_is_truncated(int length, Ed25519CertificateError expected)
    {
        using var signing = HsDescriptorSigningKey.Generate();
        var cert = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_expires, Ed25519CertifiedKeyType.Ed25519, new byte[32], signing);
        Assert.False(Ed25519Certificate.TryParse(cert.Encoded[..length], out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Bad_fields_give_typed_errors()
    {
        using var signing = HsDescriptorSigningKey.Generate();
        var good = Ed25519Certificate.Create(
            Ed25519CertificateType.IntroPointAuth, s_expires, Ed25519CertifiedKeyType.Ed25519, new byte[32], signing).Encoded.ToArray();

        Assert.Equal(Ed25519CertificateError.TrailingBytes, Error([.. good, 0]));
        Assert.Equal(Ed25519CertificateError.UnsupportedVersion, Error(With(good, 0, 2)));
        Assert.Equal(Ed25519CertificateError.UnknownKeyType, Error(With(good, 6, 3)));

        // The signed-with-key extension with a wrong length.
        var badLength = good.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(badLength.AsSpan(Ed25519Certificate.HeaderLength), 31);
        Assert.Equal(Ed25519CertificateError.BadExtension, Error(badLength));

        // An extension length running past the end.
        var tooLong = good.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(tooLong.AsSpan(Ed25519Certificate.HeaderLength), 0xFFFF);
        Assert.Equal(Ed25519CertificateError.Truncated, Error(tooLong));

        // More extensions announced than present.
        Assert.Equal(Ed25519CertificateError.Truncated, Error(With(good, Ed25519Certificate.HeaderLength - 1, 200)));
    }

    [Fact]
    public void Unknown_critical_extension_is_refused_and_unknown_plain_one_ignored()
    {
        Assert.Equal(Ed25519CertificateError.UnknownCriticalExtension, Error(WithExtra(0x42, Ed25519Certificate.AffectsValidationFlag)));
        Assert.True(Ed25519Certificate.TryParse(WithExtra(0x42, 0), out var cert, out _));
        Assert.Null(cert.SigningKey);
        Assert.Equal(Ed25519CertificateError.DuplicateExtension, Error(WithTwice()));
    }

    [Fact]
    public void Random_bytes_give_only_typed_errors()
    {
        var random = new Random(1234);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[0] = 1;
            }

            if (Ed25519Certificate.TryParse(bytes, out var cert, out var error))
            {
                Assert.Equal(Ed25519CertificateError.None, error);
                Assert.False(cert.VerifySignature(cert.SigningKey ?? Ed25519PublicKey.FromBytes(new byte[32])));
            }
            else
            {
                Assert.NotEqual(Ed25519CertificateError.None, error);
            }
        }
    }

    private static Ed25519CertificateError Error(byte[] bytes)
    {
        Assert.False(Ed25519Certificate.TryParse(bytes, out _, out var error));
        return error;
    }

    private static byte[] With(byte[] bytes, int index, byte value)
    {
        var copy = bytes.ToArray();
        copy[index] = value;
        return copy;
    }

    // A certificate with one extension of the given type and flags, 3 data bytes, and a (meaningless) signature.
    private static byte[] WithExtra(byte type, byte flags)
    {
        var bytes = new byte[Ed25519Certificate.HeaderLength + 4 + 3 + 64];
        bytes[0] = 1;
        bytes[1] = 9;
        bytes[6] = 1;
        bytes[Ed25519Certificate.HeaderLength - 1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(Ed25519Certificate.HeaderLength), 3);
        bytes[Ed25519Certificate.HeaderLength + 2] = type;
        bytes[Ed25519Certificate.HeaderLength + 3] = flags;
        return bytes;
    }

    private static byte[] WithTwice()
    {
        var bytes = new byte[Ed25519Certificate.HeaderLength + 8 + 64];
        bytes[0] = 1;
        bytes[1] = 9;
        bytes[6] = 1;
        bytes[Ed25519Certificate.HeaderLength - 1] = 2;
        bytes[Ed25519Certificate.HeaderLength + 2] = 0x42;
        bytes[Ed25519Certificate.HeaderLength + 6] = 0x42;
        return bytes;
    }
}
