using System.Net;
using HiddenPoint.Network.Addressing;

namespace HiddenPoint.Network.Tests;

/// <summary>The unit a source address is counted as: IPv4 exactly, IPv6 by prefix.</summary>
public class AddressKeyTests
{
    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", 64, true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", 64, false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", 48, true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:2:2::1", 48, false)]
    [InlineData("2001:db8::1:1", "2001:db8::1:2", 128, false)]
    [InlineData("2001:db8::1:1", "2001:db8::1:2", 120, true)]
    [InlineData("2001:db8::1", "fe80::1", 0, true)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.1", 64, true)]
    [InlineData("192.0.2.1", "192.0.2.2", 0, false)]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.2", 64, false)]
    public void Addresses_share_a_key_when_they_count_as_one_source(string a, string b, int ipv6PrefixLength, bool same)
    {
        var x = AddressKey.From(IPAddress.Parse(a), ipv6PrefixLength);
        var y = AddressKey.From(IPAddress.Parse(b), ipv6PrefixLength);
        Assert.Equal(same, x == y);
        var comparer = new KeyedAddressComparer();
        Assert.Equal(same, comparer.Equals(x, y));
        if (same)
        {
            Assert.Equal(comparer.GetHashCode(x), comparer.GetHashCode(y));
        }
    }

    [Fact]
    public void An_IPv4_address_never_shares_a_key_with_an_IPv6_prefix()
    {
        Assert.NotEqual(AddressKey.From(IPAddress.Parse("0.0.0.0")), AddressKey.From(IPAddress.Parse("::"), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AddressKey.From(IPAddress.IPv6Loopback, 129));
    }
}
