using System.Text.Json;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Xunit.Abstractions;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>
/// hpc-client relays against relays running in this process (real engines on loopback), whose consensus, signed by a
/// test authority, the hpc-client process fetches over HTTP as from an authority and verifies against the identity
/// init saved.
/// </summary>
public sealed class RelaysTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly HpcClient _client = new();
    private HiddenPointTestNetwork? _network;
    private ConsensusHttpServer? _authority;

    public async Task InitializeAsync()
    {
        _network = await HiddenPointTestNetwork.StartAsync(4).WaitAsync(Testing.TestTimeouts.Step);
        _authority = new ConsensusHttpServer(_network.Consensus.Document.ToArray());
    }

    public async Task DisposeAsync()
    {
        if (_authority is not null)
        {
            await _authority.DisposeAsync();
        }

        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Relays_fetches_verifies_and_lists_the_relays_then_serves_them_from_the_cache_as_json()
    {
        await _client.InitAsync("--authority", $"test,{_authority!.Address},{_network!.Authority}");

        var table = await _client.RunAsync(["relays"]);
        output.WriteLine(table.Output);
        Assert.True(table.ExitCode == 0, table.ToString());
        foreach (var relay in _network.Consensus.Relays)
        {
            Assert.Contains(relay.Nickname, table.Output, StringComparison.Ordinal);
            Assert.Contains(relay.Addresses[0].ToString(), table.Output, StringComparison.Ordinal);
        }

        Assert.Contains("127.0.0.0/16", table.Output, StringComparison.Ordinal);
        Assert.Contains("Running", table.Output, StringComparison.Ordinal);
        Assert.Contains("from an authority", table.Output, StringComparison.Ordinal);
        Assert.Equal(1, _authority.Requests);

        var json = await _client.RunAsync(["relays", "--json"]);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.Equal("cache", root.GetProperty("source").GetString());
        var relays = root.GetProperty("relays").EnumerateArray().ToList();
        Assert.Equal(
            _network.Consensus.Relays.Select(r => r.Nickname).Order(StringComparer.Ordinal),
            relays.Select(r => r.GetProperty("nickname").GetString()!).Order(StringComparer.Ordinal));
        foreach (var relay in relays)
        {
            Assert.Contains("Guard", relay.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            Assert.Equal(1000, relay.GetProperty("bandwidth").GetInt64());
            Assert.Equal("127.0.0.0/16", relay.GetProperty("subnet").GetString());
            Assert.Equal(0, relay.GetProperty("family").GetArrayLength());
        }

        Assert.Equal(_network.Consensus.ValidUntil, root.GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal(1, _authority.Requests);
    }

    [Fact]
    public async Task Relays_takes_the_authorities_from_command_line_settings_and_refuses_another_authority_signature()
    {
        // No init: the authority comes from --Section:Option=value settings. Pinned to another identity, the consensus
        // served does not verify, so no usable consensus comes within the timeout: exit 69.
        var other = Testing.Network.SyntheticConsensus.Build([]).Signer;
        var refused = await _client.RunAsync(
            ["relays", "--timeout", "2", $"--Client:Directory:Authorities:0:Address={_authority!.Address}", $"--Client:Directory:Authorities:0:Identity={other}"]);
        Assert.True(refused.ExitCode == 69, refused.ToString());
        Assert.Contains("no usable consensus within 2 s", refused.Error, StringComparison.Ordinal);

        var taken = await _client.RunAsync(
            ["relays", "--json", $"--Client:Directory:Authorities:0:Address={_authority.Address}", $"--Client:Directory:Authorities:0:Identity={_network!.Authority}"]);
        Assert.True(taken.ExitCode == 0, taken.ToString());
        using var document = JsonDocument.Parse(taken.Output);
        Assert.Equal("authority", document.RootElement.GetProperty("source").GetString());
        Assert.Equal(4, document.RootElement.GetProperty("relays").GetArrayLength());
    }

    [Fact]
    public async Task Relays_without_authorities_is_a_configuration_error_with_exit_78()
    {
        await _client.InitAsync();

        var result = await _client.RunAsync(["relays"]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("no directory authority is configured", result.Error, StringComparison.Ordinal);
    }
}
