using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Hosting;

namespace HiddenPoint.Relay.Tests.Hosting;

public sealed class RelayOptionsTests
{
    private static readonly string s_identity = RelayIdentityKey.Generate().Id.ToString();

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Relay:DataDirectory"] = "/tmp/x",
        ["Relay:Nickname"] = "Relay1",
        ["Relay:ListenAddress"] = "127.0.0.1",
        ["Relay:Authorities:0:Nickname"] = "auth1",
        ["Relay:Authorities:0:Address"] = "127.0.0.1:7000",
        ["Relay:Authorities:0:Identity"] = s_identity,
    };

    private static IReadOnlyList<string> Problems(params (string Key, string? Value)[] changes)
    {
        var values = Valid();
        foreach (var (key, value) in changes)
        {
            values[key] = value;
        }

        return RelayHost.Validate(RelayHost.ReadConfiguration(null, [], values));
    }

    [Fact]
    public void Valid_options_have_no_problem() => Assert.Empty(Problems());

    [Theory]
    [InlineData("Relay:DataDirectory", "", "Relay:DataDirectory:")]
    [InlineData("Relay:Nickname", "bad name", "Relay:Nickname:")]
    [InlineData("Relay:Nickname", "ThisNicknameIsFarTooLong", "Relay:Nickname:")]
    [InlineData("Relay:ListenAddress", "localhost", "Relay:ListenAddress:")]
    [InlineData("Relay:ListenPort", "70000", "Relay:ListenPort:")]
    [InlineData("Relay:AdvertisedAddress", "0.0.0.0", "Relay:AdvertisedAddress:")]
    [InlineData("Relay:AdvertisedPort", "-1", "Relay:AdvertisedPort:")]
    [InlineData("Relay:Bandwidth", "0", "Relay:Bandwidth:")]
    [InlineData("Relay:Family:0", "notakey", "Relay:Family:0:")]
    [InlineData("Relay:Authorities:0:Nickname", "", "Relay:Authorities:0:Nickname:")]
    [InlineData("Relay:Authorities:0:Address", "localhost:7000", "Relay:Authorities:0:Address:")]
    [InlineData("Relay:Authorities:0:Identity", "short", "Relay:Authorities:0:Identity:")]
    [InlineData("Relay:ShutdownWaitLength", "01:00:00", "Relay:ShutdownWaitLength:")]
    [InlineData("Relay:DescriptorPublishInterval", "00:00:00", "Relay:DescriptorPublishInterval:")]
    [InlineData("Relay:ConsensusFetchInterval", "2.00:00:00", "Relay:ConsensusFetchInterval:")]
    [InlineData("Relay:AuthorityRequestTimeout", "00:00:00.5", "Relay:AuthorityRequestTimeout:")]
    [InlineData("Relay:CircuitHandshakeKeyLifetime", "366.00:00:00", "Relay:CircuitHandshakeKeyLifetime:")]
    [InlineData("Relay:CircuitHandshakeKeyOverlap", "30.00:00:00", "Relay:CircuitHandshakeKeyOverlap:")]
    [InlineData("Relay:LinkKeyLifetime", "400.00:00:00", "Relay:LinkKeyLifetime:")]
    [InlineData("Relay:LinkKeyOverlap", "00:00:00", "Relay:LinkKeyOverlap:")]
    [InlineData("Telemetry:PrometheusEndpoint", "http://0.0.0.0:9464/metrics", "Telemetry:PrometheusEndpoint:")]
    [InlineData("Telemetry:PrometheusEndpoint", "http://192.0.2.7:9464/metrics", "Telemetry:PrometheusEndpoint:")]
    [InlineData("Telemetry:PrometheusEndpoint", "http://example.com:9464/metrics", "Telemetry:PrometheusEndpoint:")]
    [InlineData("Telemetry:OtlpEndpoint", "not a url", "Telemetry:OtlpEndpoint:")]
    [InlineData("Telemetry:OtlpProtocol", "Carrier", "Telemetry:OtlpProtocol:")]
    [InlineData("Telemetry:ExportInterval", "00:00:00", "Telemetry:ExportInterval:")]
    [InlineData("Engine:Link:HandshakeTimeout", "00:10:00", "LinkOptions.HandshakeTimeout")]
    [InlineData("Engine:MaxLinks", "0", "RelayEngineOptions.MaxLinks")]
    [InlineData("Limits:CircuitCreationBurst", "0", "RelayLimitsOptions.CircuitCreationBurst")]
    [InlineData("HsDir:MaxBytes", "1", "HsDir:MaxBytes:")]
    [InlineData("HsDir:SweepInterval", "00:00:00.001", "HsDir:SweepInterval:")]
    [InlineData("HsDir:SweepInterval", "02:00:00", "HsDir:SweepInterval:")]
    public void Each_bad_option_is_named(string key, string value, string named)
    {
        var problem = Assert.Single(Problems((key, value)));
        Assert.StartsWith(named, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_authorities_and_a_wildcard_listen_address_without_an_advertised_one_are_named()
    {
        var values = Valid();
        values.Remove("Relay:Authorities:0:Nickname");
        values.Remove("Relay:Authorities:0:Address");
        values.Remove("Relay:Authorities:0:Identity");
        values["Relay:ListenAddress"] = "0.0.0.0";
        var problems = RelayHost.Validate(RelayHost.ReadConfiguration(null, [], values));
        Assert.Contains(problems, p => p.StartsWith("Relay:Authorities:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Relay:AdvertisedAddress: required", StringComparison.Ordinal));
        Assert.Equal(2, problems.Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9464/metrics")]
    [InlineData("http://[::1]:9464/metrics")]
    public void Prometheus_on_loopback_is_accepted(string endpoint) =>
        Assert.Empty(Problems(("Telemetry:PrometheusEndpoint", endpoint)));

    [Fact]
    public void Options_come_from_json_then_environment_then_command_line()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var file = folder.File("relay.json");
        File.WriteAllText(file, """{ "Relay": { "Nickname": "FromJson", "ListenPort": 9100, "Bandwidth": 5, "Family": [ "a" ] } }""");
        Environment.SetEnvironmentVariable("HPC_RELAY__Relay__ListenPort", "9200");
        Environment.SetEnvironmentVariable("HPC_RELAY__Relay__Bandwidth", "6");
        try
        {
            var options = RelayHost.RelayOptionsFrom(RelayHost.ReadConfiguration(file, ["--Relay:Bandwidth=7"]));
            Assert.Equal("FromJson", options.Nickname);
            Assert.Equal(9200, options.ListenPort);
            Assert.Equal(7, options.Bandwidth);
            Assert.Equal("a", Assert.Single(options.Family));
            Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownWaitLength);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HPC_RELAY__Relay__ListenPort", null);
            Environment.SetEnvironmentVariable("HPC_RELAY__Relay__Bandwidth", null);
        }
    }

    [Fact]
    public void Without_config_the_data_directory_relay_json_is_read()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        File.WriteAllText(folder.File("relay.json"), """{ "Relay": { "Nickname": "InDataDir" } }""");
        var options = RelayHost.RelayOptionsFrom(RelayHost.ReadConfiguration(null, ["--Relay:DataDirectory=" + folder.Path]));
        Assert.Equal("InDataDir", options.Nickname);
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new RelayOptions();
        Assert.Equal("/var/lib/hpc-relay", options.DataDirectory);
        Assert.Equal(9001, options.ListenPort);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownWaitLength);
        Assert.Equal(TimeSpan.FromHours(1), options.DescriptorPublishInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.ConsensusFetchInterval);
        Assert.Equal(TimeSpan.FromDays(28), options.CircuitHandshakeKeyLifetime);
        Assert.Equal(TimeSpan.FromDays(7), options.CircuitHandshakeKeyOverlap);
        Assert.Equal(TimeSpan.FromDays(28), options.LinkKeyLifetime);
        Assert.Equal(TimeSpan.FromDays(7), options.LinkKeyOverlap);
    }
}
