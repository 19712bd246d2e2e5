namespace HiddenPoint.TorBenchmark.Tests;

public class Socks5Tests
{
    [Fact]
    public void Connect_request_names_the_host_and_the_big_endian_port()
    {
        var request = Socks5.ConnectRequest("ab.onion", 7);

        Assert.Equal(new byte[] { 5, 1, 0, 3, 8, (byte)'a', (byte)'b', (byte)'.', (byte)'o', (byte)'n', (byte)'i', (byte)'o', (byte)'n', 0, 7 }, request);
        Assert.Equal(new byte[] { 5, 1, 0 }, Socks5.Greeting.ToArray());
    }

    [Fact]
    public void Hosts_and_ports_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Socks5.ConnectRequest(new string('a', 256), 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Socks5.ConnectRequest("a.onion", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Socks5.ConnectRequest("a.onion", 65536));
    }
}
