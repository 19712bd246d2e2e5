using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public class HiddenIdTests
{
    public static TheoryData<string> Files => VectorFiles.Named("onion_address", ".txt");

    [Theory]
    [MemberData(nameof(Files))]
    public void Tor_addresses_parse_to_their_keys_and_format_back(string fileName)
    {
        var file = OnionAddressVectorFile.Load(VectorFiles.PathOf(fileName));
        Assert.NotEmpty(file.Addresses);
        foreach (var vector in file.Addresses)
        {
            Assert.True(
                HiddenId.TryParse(vector.Address, HiddenIdLabels.Tor, out var id, out var error),
                $"line {vector.Line}: {error}");
            Assert.Equal(HiddenIdError.None, error);
            Assert.Equal(vector.PublicKey, id!.IdentityKey.Bytes.ToArray());
            Assert.Equal(vector.Address, id.ToString(HiddenIdLabels.Tor));

            // Without the suffix too.
            Assert.True(HiddenId.TryParse(vector.Address[..56], HiddenIdLabels.Tor, out var bare, out _));
            Assert.Equal(id, bare);

            if (vector.Checksum is not null)
            {
                var checksum = new byte[2];
                HiddenId.ComputeChecksum(vector.PublicKey, HiddenIdLabels.Tor, checksum);
                Assert.Equal(vector.Checksum, checksum);
            }

            if (vector.Version is not null)
            {
                Assert.Equal(HiddenIdLabels.Tor.Version, vector.Version.Value);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Tor_addresses_with_bad_checksums_are_refused(string fileName)
    {
        var file = OnionAddressVectorFile.Load(VectorFiles.PathOf(fileName));
        Assert.NotEmpty(file.InvalidChecksums);
        foreach (var vector in file.InvalidChecksums)
        {
            Assert.False(HiddenId.TryParse(vector.Address, HiddenIdLabels.Tor, out var id, out var error));
            Assert.Null(id);
            Assert.Equal(HiddenIdError.BadChecksum, error);
        }
    }

    [Fact]
    public void Hpc_ids_round_trip_with_and_without_suffix()
    {
        for (var i = 0; i < 32; i++)
        {
            using var secret = HiddenPointIdentitySecretKey.Generate();
            var id = secret.PublicKey.ToHiddenId();
            var text = id.ToString();
            Assert.Equal(60, text.Length);
            Assert.EndsWith(".hpc", text, StringComparison.Ordinal);
            Assert.Equal('b', text[55]); // version 1 in the last five bits
            Assert.Equal(text, id.ToString(HiddenIdLabels.Hpc));

            Assert.True(HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var parsed, out var error));
            Assert.Equal(HiddenIdError.None, error);
            Assert.Equal(id, parsed);
            Assert.True(HiddenId.TryParse(text[..56], HiddenIdLabels.Hpc, out var bare, out _));
            Assert.Equal(id, bare);
            Assert.Equal(secret.PublicKey, bare!.IdentityKey);
        }
    }

    [Fact]
    public void The_same_key_has_different_ids_on_the_two_networks()
    {
        Assert.True(HiddenIdError.None == HiddenPointIdentityPublicKey.TryCreate(TestPoints.ValidKey, out var key));
        var id = key!.ToHiddenId();
        Assert.NotEqual(id.ToString(HiddenIdLabels.Tor)[..56], id.ToString(HiddenIdLabels.Hpc)[..56]);
        Assert.Equal("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion", id.ToString(HiddenIdLabels.Tor));
    }

    [Fact]
    public void TryFormat_reports_a_short_destination()
    {
        var id = HiddenIdOf(TestPoints.ValidKey);
        Assert.False(id.TryFormat(new char[59], HiddenIdLabels.Hpc, out var written));
        Assert.Equal(0, written);
        Assert.True(id.TryFormat(new char[64], HiddenIdLabels.Hpc, out written));
        Assert.Equal(60, written);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 55
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 57
    public void Wrong_lengths_are_refused(string text) => AssertError(text, HiddenIdLabels.Hpc, HiddenIdError.BadLength);

    [Fact]
    public void Length_is_checked_against_the_networks_suffix()
    {
        var tor = HiddenIdOf(TestPoints.ValidKey).ToString(HiddenIdLabels.Tor); // 62 characters
        AssertError(tor, HiddenIdLabels.Hpc, HiddenIdError.BadLength);
        AssertError(tor + "x", HiddenIdLabels.Tor, HiddenIdError.BadLength);
        AssertError(HiddenIdOf(TestPoints.ValidKey) + ".", HiddenIdLabels.Hpc, HiddenIdError.BadLength);
        AssertError(null, HiddenIdLabels.Hpc, HiddenIdError.BadLength);
    }

    [Theory]
    [InlineData(".hpd")]
    [InlineData("_hpc")]
    [InlineData("hpc.")]
    [InlineData(".hp\u00e7")]
    public void A_wrong_suffix_is_refused(string suffix) =>
        AssertError(Encoded(HiddenIdLabels.Hpc) + suffix, HiddenIdLabels.Hpc, HiddenIdError.WrongSuffix);

    [Fact]
    public void Upper_case_is_refused_not_folded()
    {
        var text = Encoded(HiddenIdLabels.Hpc);
        AssertError(text.ToUpperInvariant(), HiddenIdLabels.Hpc, HiddenIdError.UpperCase);
        var firstLetter = text.AsSpan().IndexOfAnyInRange('a', 'z');
        var oneUpper = text[..firstLetter] + char.ToUpperInvariant(text[firstLetter]) + text[(firstLetter + 1)..];
        AssertError(oneUpper, HiddenIdLabels.Hpc, HiddenIdError.UpperCase);
        AssertError(text + ".HPC", HiddenIdLabels.Hpc, HiddenIdError.UpperCase);
        AssertError(text + ".Hpc", HiddenIdLabels.Hpc, HiddenIdError.UpperCase);
        AssertError(text + ".hpc", HiddenIdLabels.Hpc, HiddenIdError.None);
    }

    [Theory]
    [InlineData('0')]
    [InlineData('1')]
    [InlineData('8')]
    [InlineData('9')]
    [InlineData('=')]
    [InlineData(' ')]
    [InlineData('.')]
    [InlineData('\0')]
    [InlineData('\u00e9')]
    [InlineData('\u0430')] // Cyrillic a
    public void Characters_outside_the_alphabet_are_refused(char bad)
    {
        var text = Encoded(HiddenIdLabels.Hpc);
        foreach (var position in new[] { 0, 17, 55 })
        {
            var broken = text[..position] + bad + text[(position + 1)..];
            AssertError(broken, HiddenIdLabels.Hpc, HiddenIdError.InvalidCharacter);
        }
    }

    [Fact]
    public void The_first_bad_character_decides_between_upper_case_and_invalid()
    {
        var text = Encoded(HiddenIdLabels.Hpc);
        AssertError("A1" + text[2..], HiddenIdLabels.Hpc, HiddenIdError.UpperCase);
        AssertError("1A" + text[2..], HiddenIdLabels.Hpc, HiddenIdError.InvalidCharacter);
    }

    [Fact]
    public void A_wrong_version_is_refused()
    {
        // A Tor address given to HiddenPoint, and an hpc id of an unknown version with a checksum that matches it.
        AssertError(Encoded(HiddenIdLabels.Tor), HiddenIdLabels.Hpc, HiddenIdError.WrongVersion);
        AssertError(Encoded(HiddenIdLabels.Hpc), HiddenIdLabels.Tor, HiddenIdError.WrongVersion);
        var version2 = new HiddenIdLabels(".hpc checksum", 2, ".hpc");
        AssertError(Encoded(version2), HiddenIdLabels.Hpc, HiddenIdError.WrongVersion);
        AssertError(Encoded(version2), version2, HiddenIdError.None);
    }

    [Fact]
    public void A_bad_checksum_is_refused()
    {
        var decoded = new byte[35];
        TestPoints.ValidKey.CopyTo(decoded, 0);
        HiddenId.ComputeChecksum(TestPoints.ValidKey, HiddenIdLabels.Hpc, decoded.AsSpan(32, 2));
        decoded[34] = HiddenIdLabels.Hpc.Version;
        for (var bit = 0; bit < 16; bit++)
        {
            var broken = (byte[])decoded.Clone();
            broken[32 + (bit / 8)] ^= (byte)(1 << (bit % 8));
            AssertError(Base32Of(broken), HiddenIdLabels.Hpc, HiddenIdError.BadChecksum);
        }

        // A key bit flipped under the old checksum, and the checksum of the other network's label.
        var keyFlipped = (byte[])decoded.Clone();
        keyFlipped[5] ^= 0x10;
        AssertError(Base32Of(keyFlipped), HiddenIdLabels.Hpc, HiddenIdError.BadChecksum);
        var otherLabel = new HiddenIdLabels(".onion checksum", 1, ".hpc");
        AssertError(TestPoints.Encode(TestPoints.ValidKey, otherLabel), HiddenIdLabels.Hpc, HiddenIdError.BadChecksum);
    }

    [Fact]
    public void Keys_that_are_not_curve_points_are_refused()
    {
        AssertError(TestPoints.Encode(TestPoints.NotOnCurve, HiddenIdLabels.Hpc), HiddenIdLabels.Hpc, HiddenIdError.KeyNotOnCurve);
        AssertError(TestPoints.Encode(TestPoints.NonCanonical, HiddenIdLabels.Hpc), HiddenIdLabels.Hpc, HiddenIdError.KeyNotOnCurve);
    }

    [Fact]
    public void Keys_with_a_torsion_component_are_refused()
    {
        var torsioned = TestPoints.Torsioned();
        AssertError(TestPoints.Encode(torsioned, HiddenIdLabels.Hpc), HiddenIdLabels.Hpc, HiddenIdError.KeyNotInPrimeOrderSubgroup);
        AssertError(TestPoints.Encode(torsioned, HiddenIdLabels.Tor) + ".onion", HiddenIdLabels.Tor, HiddenIdError.KeyNotInPrimeOrderSubgroup);
        foreach (var smallOrder in new[] { TestPoints.Identity, TestPoints.OrderTwo, TestPoints.OrderEight })
        {
            AssertError(TestPoints.Encode(smallOrder, HiddenIdLabels.Hpc), HiddenIdLabels.Hpc, HiddenIdError.KeyNotInPrimeOrderSubgroup);
        }
    }

    [Fact]
    public void Identity_key_creation_reports_the_same_errors()
    {
        Assert.Equal(HiddenIdError.BadLength, HiddenPointIdentityPublicKey.TryCreate(new byte[31], out var key));
        Assert.Null(key);
        Assert.Equal(HiddenIdError.KeyNotOnCurve, HiddenPointIdentityPublicKey.TryCreate(TestPoints.NotOnCurve, out _));
        Assert.Equal(HiddenIdError.KeyNotInPrimeOrderSubgroup, HiddenPointIdentityPublicKey.TryCreate(TestPoints.Torsioned(), out _));
        Assert.Equal(HiddenIdError.None, HiddenPointIdentityPublicKey.TryCreate(TestPoints.ValidKey, out key));
        Assert.Equal(TestPoints.ValidKey, key!.Bytes.ToArray());
    }

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(20261128);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567ABZ019.=-_ \u00e9";
        for (var i = 0; i < 20000; i++)
        {
            var length = random.Next(3) switch { 0 => 56, 1 => 60, _ => random.Next(70) };
            var chars = new char[length];
            for (var c = 0; c < length; c++)
            {
                chars[c] = Alphabet[random.Next(random.Next(2) == 0 ? 32 : Alphabet.Length)];
            }

            var ok = HiddenId.TryParse(new string(chars), HiddenIdLabels.Hpc, out var id, out var error);
            Assert.Equal(ok, error == HiddenIdError.None);
            Assert.Equal(ok, id is not null);
        }

        // Random keys with correct checksums: most are not curve points; none may throw.
        var key = new byte[32];
        for (var i = 0; i < 2000; i++)
        {
            RandomNumberGenerator.Fill(key);
            HiddenId.TryParse(TestPoints.Encode(key, HiddenIdLabels.Hpc), HiddenIdLabels.Hpc, out _, out var error);
            Assert.True(error is HiddenIdError.None or HiddenIdError.KeyNotOnCurve or HiddenIdError.KeyNotInPrimeOrderSubgroup, error.ToString());
        }
    }

    [Fact]
    public void Labels_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new HiddenIdLabels("", 1, ".hpc"));
        Assert.Throws<ArgumentException>(() => new HiddenIdLabels("x", 1, "hpc"));
        Assert.Throws<ArgumentException>(() => new HiddenIdLabels("x", 1, ".HPC"));
        Assert.Throws<ArgumentException>(() => new HiddenIdLabels(new string('x', 65), 1, ".hpc"));
        Assert.Throws<ArgumentException>(() => new HiddenIdLabels("\u00e9", 1, ".hpc"));
    }

    private static HiddenId HiddenIdOf(byte[] key)
    {
        Assert.Equal(HiddenIdError.None, HiddenPointIdentityPublicKey.TryCreate(key, out var identity));
        return identity!.ToHiddenId();
    }

    private static string Encoded(HiddenIdLabels labels) => TestPoints.Encode(TestPoints.ValidKey, labels);

    private static string Base32Of(byte[] decoded)
    {
        var text = new char[56];
        Base32.Encode(decoded, text);
        return new string(text);
    }

    private static void AssertError(string? text, HiddenIdLabels labels, HiddenIdError expected)
    {
        var ok = HiddenId.TryParse(text, labels, out var id, out var error);
        Assert.Equal(expected, error);
        Assert.Equal(expected == HiddenIdError.None, ok);
        Assert.Equal(ok, id is not null);
    }
}
