using System.Net;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Protocol.Tests.Documents;

public class DocumentValueTests
{
    [Fact]
    public void Base64_decoder_accepts_exactly_the_unpadded_standard_encoding()
    {
        var random = new Random(5);
        for (var length = 0; length <= 70; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            var text = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(bytes).TrimEnd('='));
            Assert.Equal(DocumentValues.Base64Length(length), text.Length);
            var decoded = new byte[length];
            Assert.True(DocumentValues.TryDecodeBase64(text, decoded));
            Assert.Equal(bytes, decoded);
            Assert.False(DocumentValues.TryDecodeBase64([.. text, (byte)'A'], decoded));
            if (text.Length > 0)
            {
                Assert.False(DocumentValues.TryDecodeBase64(text.AsSpan(0, text.Length - 1), decoded));
            }
        }
    }

    [Theory]
    [InlineData("2000-01-01", "00:00:00", true)]
    [InlineData("2024-02-29", "23:59:59", true)]
    [InlineData("2026-02-29", "12:00:00", false)]
    [InlineData("9999-12-31", "23:59:59", true)]
    [InlineData("2026-13-01", "12:00:00", false)]
    [InlineData("2026-00-01", "12:00:00", false)]
    [InlineData("2026-01-00", "12:00:00", false)]
    [InlineData("2026-01-01", "12:00", false)]
    [InlineData("2026/01/01", "12:00:00", false)]
    [InlineData("2026-01-01", "12-00-00", false)]
    [InlineData("+026-01-01", "12:00:00", false)]
    public void Times_parse_only_in_the_document_format(string date, string time, bool valid)
    {
        Assert.Equal(valid, DocumentTime.TryParse($"{date} {time}", out var parsed));
        if (valid)
        {
            Assert.Equal($"{date} {time}", DocumentTime.Format(parsed));
            Assert.Equal(TimeSpan.Zero, parsed.Offset);
        }
    }

    [Theory]
    [InlineData("0", true, 0)]
    [InlineData("-1", true, -1)]
    [InlineData("2147483647", true, int.MaxValue)]
    [InlineData("-2147483648", true, int.MinValue)]
    [InlineData("2147483648", false, 0)]
    [InlineData("-2147483649", false, 0)]
    [InlineData("-0", false, 0)]
    [InlineData("007", false, 0)]
    [InlineData("+7", false, 0)]
    [InlineData("", false, 0)]
    [InlineData("-", false, 0)]
    [InlineData("99999999999999999999999", false, 0)]
    public void Integers_are_canonical_decimal(string text, bool valid, int expected)
    {
        Assert.Equal(valid, DocumentValues.TryParseInt32(System.Text.Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("127.0.0.1:9001")]
    [InlineData("255.255.255.255:65535")]
    [InlineData("[2001:db8::1]:1")]
    [InlineData("[::1]:443")]
    [InlineData("[2001:db8:1:2:3:4:5:6]:443")]
    public void Addresses_round_trip(string text)
    {
        Assert.True(RelayAddress.TryParse(text, out var address));
        Assert.Equal(text, address.ToString());
    }

    [Fact]
    public void Address_constructor_refuses_what_the_parser_refuses()
    {
        Assert.Throws<ArgumentException>(() => new RelayAddress(IPAddress.Any, 1));
        Assert.Throws<ArgumentException>(() => new RelayAddress(IPAddress.IPv6Any, 1));
        Assert.Throws<ArgumentException>(() => new RelayAddress(IPAddress.Loopback, 0));
        Assert.Throws<ArgumentException>(() => new RelayAddress(IPAddress.Parse("::ffff:1.2.3.4"), 1));
        Assert.Throws<ArgumentException>(() => new RelayAddress(IPAddress.Parse("fe80::1%2"), 1));
    }

    [Theory]
    [InlineData("0.0.0.0", 9001)]
    [InlineData("::", 9001)]
    [InlineData("::ffff:1.2.3.4", 9001)]
    [InlineData("fe80::1%2", 9001)]
    [InlineData("127.0.0.1", 0)]
    [InlineData("127.0.0.1", 65_536)]
    [InlineData("127.0.0.1", -1)]
    public void TryCreate_refuses_without_throwing_what_the_constructor_refuses(string address, int port)
    {
        Assert.False(RelayAddress.TryCreate(IPAddress.Parse(address), port, out var refused));
        Assert.Equal(default, refused);
    }

    [Fact]
    public void TryCreate_makes_what_the_constructor_makes()
    {
        Assert.True(RelayAddress.TryCreate(IPAddress.Parse("2001:db8::1"), 9001, out var address));
        Assert.Equal(new RelayAddress(IPAddress.Parse("2001:db8::1"), 9001), address);
        Assert.False(RelayAddress.TryCreate(null, 9001, out _));
        Assert.False(RelayAddress.CanBeRelayAddress(IPAddress.IPv6Any));
        Assert.True(RelayAddress.CanBeRelayAddress(IPAddress.Loopback));
    }

    [Fact]
    public void Protocol_support_writes_merged_ranges()
    {
        var support = new ProtocolSupport([new("Link", 0b1011_0111), new("Cells", 1)]);
        Assert.Equal("Cells=0 Link=0-2,4-5,7", support.ToString());
        Assert.True(support.Supports("Link", 7));
        Assert.False(support.Supports("Link", 3));
        Assert.False(support.Supports("Other", 0));
        Assert.Throws<ArgumentException>(() => new ProtocolSupport([new("Link", 0)]));
        Assert.Throws<ArgumentException>(() => new ProtocolSupport([new("Link", 1), new("Link", 2)]));
        Assert.Throws<ArgumentException>(() => new ProtocolSupport([new("1Link", 1)]));
    }

    [Fact]
    public void Network_parameters_keep_unknown_names_and_read_known_ones()
    {
        var parameters = new NetworkParameters([new("Zeta", 1), new("CircuitWindow", 200), new("alpha", -3)]);
        Assert.Equal(["CircuitWindow", "Zeta", "alpha"], parameters.All.Select(p => p.Key));
        Assert.Equal(200, parameters.Get(NetworkParameter.CircuitWindow));
        Assert.Equal(NetworkParameter.HsDirReplicas.Default, parameters.Get(NetworkParameter.HsDirReplicas));
        Assert.Throws<ArgumentException>(() => new NetworkParameters([new("a", 1), new("a", 2)]));
        Assert.Throws<ArgumentException>(() => new NetworkParameters([new("a=b", 1)]));
        Assert.Throws<ArgumentException>(() => new NetworkParameters([new("HsDirReplicas", 0)]));
    }

    [Fact]
    public void Floor_to_second_makes_a_time_writable() =>
        Assert.Equal(
            new DateTimeOffset(2026, 11, 28, 7, 30, 1, TimeSpan.Zero),
            DocumentTime.FloorToSecond(new DateTimeOffset(2026, 11, 28, 8, 30, 1, 999, TimeSpan.FromHours(1))));
}
