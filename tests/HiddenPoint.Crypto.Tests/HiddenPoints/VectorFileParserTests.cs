using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

public class VectorFileParserTests
{
    private const string Key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Address = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion";
    private const string Hash = "37e5cbbd56a22823714f18f1623ece5983a0d64c78495a8cfab854245e5f9a8a";

    [Fact]
    public void The_published_files_parse_completely()
    {
        var onion = OnionAddressVectorFile.Load(VectorFiles.PathOf("onion_address.txt"));
        Assert.Equal(4, onion.Addresses.Count);
        Assert.Equal(2, onion.InvalidChecksums.Count);
        Assert.Equal(2, onion.Indexes.Count);
        Assert.Single(onion.DisasterSrvs);

        var blinding = KeyBlindingVectorFile.Load(VectorFiles.PathOf("key_blinding.txt"));
        Assert.NotNull(blinding.Period);
        Assert.Equal(1234UL, blinding.Period.PeriodNumber);
        Assert.Equal(720U, blinding.Period.RotationOffsetMinutes);
        Assert.Empty(blinding.Period.Secret);
        Assert.Equal(7, blinding.Raw.Count);
        Assert.All(blinding.Raw, v => Assert.NotNull(v.SelfSignature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only comments\n")]
    [InlineData("no equals sign here")]
    [InlineData("colour = blue")]
    [InlineData("pubkey = " + Key)] // no address follows
    [InlineData("address = " + Address)] // no pubkey before
    [InlineData("pubkey = " + Key + "\npubkey = " + Key + "\naddress = " + Address)]
    [InlineData("pubkey = zz5a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\naddress = " + Address)]
    [InlineData("pubkey = d75a98\naddress = " + Address)]
    [InlineData("hs_service_index = " + Hash)] // no Inputs comment
    [InlineData("# Inputs: period_num = 42\nhs_service_index = " + Hash)]
    [InlineData("# Inputs: period_num = 42, period_length = 1440, SRV = 32 x 43, blinded_pk = 32 x 0x42, replica = 1, node ed25519 id = 32 x 0x42\nhs_relay_index = " + Hash)]
    [InlineData("disaster_srv(1440) = " + Hash)]
    [InlineData("address = " + Address + " ; pubkey = " + Key + " ; colour = blue")]
    [InlineData("address = " + Address + " ; pubkey = " + Key + " ; checksum_valid = maybe")]
    [InlineData("address = " + Address + " ; version = 03")]
    public void Malformed_onion_address_files_fail(string text) =>
        Assert.Throws<FormatException>(() => OnionAddressVectorFile.Parse(text));

    private const string Raw =
        "--- vector 0\n" +
        "seed = 26c76712d89d906e6672dafa614c42e5cb1caac8c6568e4d2493087db51f0d36\n" +
        "expanded_secret = c0a4de23cc64392d85aa1da82b3defddbea946d13bb053bf8489fa9296281f495022f1f7ec0dcf52f07d4c7965c4eaed121d5d88d0a8ff546b06116a20e97755\n" +
        "public = c2247870536a192d142d056abefca68d6193158e7c1a59c1654c954eccaff894\n" +
        "blinding_param_h = 54a513898b471d1d448a2f3c55c1de2c0ef718c447b04497eeb999ed32027823\n" +
        "blinded_expanded_secret = 293c3acff4e902f6f63ddc5d5caa2a57e771db4f24de65d4c28df3232f47fa01171d43f24e3f53e70ec7ac280044ac77d4942dee5d6807118a59bdf3ee647e89\n";

    private const string BlindedPublic = "blinded_public = 1fc1fa4465bd9d4956fdbdc9d3acb3c7019bb8d5606b951c2e1dfe0b42eaeb41\n";

    [Fact]
    public void A_minimal_raw_vector_parses()
    {
        var file = KeyBlindingVectorFile.Parse(Raw + BlindedPublic);
        Assert.Null(file.Period);
        Assert.Equal("vector 0", Assert.Single(file.Raw).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing\n")]
    [InlineData(Raw)] // blinded_public missing
    [InlineData(Raw + BlindedPublic + "colour = 00\n")]
    [InlineData(Raw + BlindedPublic + BlindedPublic)]
    [InlineData(Raw + "blinded_public = 1fc1\n")]
    [InlineData(Raw + "blinded_public = not hex\n")]
    [InlineData(Raw + BlindedPublic + "---\n")]
    [InlineData("A (KP_hs_id public) = 833990b085c1a688c1d4c8b1f6b56afaf5a2eca674449e1d704f83765ccb7bc6\n")] // rest of (A) missing
    [InlineData("Z = 00\n" + Raw + BlindedPublic)]
    public void Malformed_key_blinding_files_fail(string text) =>
        Assert.Throws<FormatException>(() => KeyBlindingVectorFile.Parse(text));

    [Fact]
    public void Section_a_without_its_parameters_fails()
    {
        var text = File.ReadAllText(VectorFiles.PathOf("key_blinding.txt"));
        var withoutParameters = text.Replace("time period num = 1234", "time period = 1234", StringComparison.Ordinal);
        Assert.NotEqual(text, withoutParameters);
        Assert.Throws<FormatException>(() => KeyBlindingVectorFile.Parse(withoutParameters));
    }
}
