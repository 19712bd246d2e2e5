using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;
using HiddenPoint.IntegrationTests.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.IntegrationTests.WholeNetwork;

/// <summary>
/// The network as operators run it, in one process: three directory authorities and four relay hosts (the same
/// composition `hpc-directory run` and `hpc-relay run` build) on loopback. Relays publish their descriptors, the
/// authorities test their link ports, vote and sign; relays fetch the consensus; a client builds circuits from it.
/// </summary>
public sealed class WholeNetworkTests : IAsyncDisposable
{
    private const int RelayCount = 4;
    private static readonly TimeSpan s_votingInterval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan s_networkReady = TimeSpan.FromSeconds(120);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-network-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<WebApplication> _authorities = [];
    private readonly List<IHost> _relays = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Relays_published_and_voted_by_real_authorities_carry_a_three_hop_circuit_and_serve_the_consensus()
    {
        var authorities = StartAuthorities(3);
        var pinned = authorities.Select(a => a.Id).ToArray();
        foreach (var authority in _authorities)
        {
            await authority.StartAsync().WaitAsync(TestNetwork.Timeout);
        }

        // Relays 0 and 1 are one operator's, configured with the same Family list naming both; relay 2 claims to be
        // in relay 0's family, which does not name it back.
        var identities = Enumerable.Range(0, RelayCount).Select(_ => RelayIdentityKey.Generate()).ToArray();
        var relayIds = identities.Select(key => key.Id).ToList();
        string[][] families = [[relayIds[0].ToString(), relayIds[1].ToString()], [relayIds[0].ToString(), relayIds[1].ToString()], [relayIds[0].ToString()], []];
        for (var i = 0; i < RelayCount; i++)
        {
            await StartRelayAsync(i, authorities, identities[i], families[i]);
            identities[i].Dispose();
        }

        // The authorities list every relay Running (their link ports answered a real Noise handshake).
        var consensus = await WaitForAsync(
            async () =>
            {
                var holder = new ConsensusHolder(pinned, TimeProvider.System);
                var document = await ConsensusAsync(authorities[0].Port);
                return document is not null && holder.Offer(document).Accepted && holder.TryGetUsable(out var usable, out _)
                    && relayIds.All(id => usable.TryGetRelay(id, out var status) && status.Flags.HasFlag(RelayFlags.Running))
                    ? usable
                    : null;
            },
            "a consensus signed by the authorities that lists every relay Running");
        Assert.True(consensus.Signers.Count >= 2);

        // Each relay's family, as its descriptor declared it, is in the consensus; only the mutual one is a family.
        var listed = relayIds.Select(id => consensus.TryGetRelay(id, out var status) ? status : throw new InvalidOperationException()).ToArray();
        Assert.Equal([relayIds[1]], listed[0].Family);
        Assert.Equal([relayIds[0]], listed[1].Family);
        Assert.Equal([relayIds[0]], listed[2].Family);
        Assert.Empty(listed[3].Family);
        Assert.True(RelayFamily.AreFamily(listed[0], listed[1]));
        Assert.False(RelayFamily.AreFamily(listed[0], listed[2]));
        Assert.False(RelayFamily.AreFamily(listed[2], listed[3]));

        // Every relay holds a consensus that lists the others (what EXTEND2 looks the next hop up in).
        foreach (var relay in _relays)
        {
            var holder = relay.Services.GetRequiredService<ConsensusHolder>();
            await WaitForAsync(
                () => Task.FromResult<object?>(holder.TryGetUsable(out var held, out _) && relayIds.All(id => held.TryGetRelay(id, out _)) ? held : null),
                "each relay's consensus");
        }

        var path = relayIds.Take(3).Select(id => consensus.TryGetRelay(id, out var status) ? status : throw new InvalidOperationException()).ToArray();
        using var client = new TestClient();

        // A three-hop circuit: the last hop answers a directory request, recognised by the client as from hop 3.
        var (link, circuit) = await client.BuildAsync(path);
        var fromExit = await RequestConsensusAsync(circuit, hop: 2, new StreamId(1));

        // The guard as a directory cache, over a one-hop circuit: the consensus it serves verifies.
        var (cacheLink, cacheCircuit) = await client.BuildAsync(path[0]);
        var fromCache = await RequestConsensusAsync(cacheCircuit, hop: 0, new StreamId(1));
        var verifier = new ConsensusHolder(pinned, TimeProvider.System);
        Assert.True(verifier.Offer(fromCache).Accepted);
        var exitOffer = verifier.Offer(fromExit);
        Assert.True(exitOffer.Accepted || exitOffer.Refusal == ConsensusRefusal.NotNewer, exitOffer.ToString());

        await link.DisposeAsync();
        await cacheLink.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await relay.StopAsync(stop.Token);
            relay.Dispose();
        }

        foreach (var authority in _authorities)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await authority.StopAsync(stop.Token);
            await authority.DisposeAsync();
        }

        _http.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private List<(AuthorityId Id, int Port, string Nickname)> StartAuthorities(int count)
    {
        var members = Enumerable.Range(1, count).Select(n =>
        {
            var folder = Path.Combine(_root, "auth" + n);
            using var key = AuthorityIdentityKey.Generate();
            KeyFile.Write(key, Path.Combine(folder, AuthorityState.KeyFileName));
            return (key.Id, Port: FreePort(), Nickname: "auth" + n, Folder: folder);
        }).ToList();
        foreach (var self in members)
        {
            var options = new AuthorityOptions
            {
                DataDirectory = self.Folder,
                Nickname = self.Nickname,
                Listen = "127.0.0.1:" + self.Port,
                VotingInterval = s_votingInterval,
                Testnet = true,
                ReachabilityTimeout = TimeSpan.FromSeconds(2),
                Authorities = [.. members.Where(m => m.Nickname != self.Nickname).Select(m => new PeerAuthorityOptions
                {
                    Nickname = m.Nickname,
                    Address = "127.0.0.1:" + m.Port,
                    Identity = m.Id.ToString(),
                })],
            };
            _authorities.Add(DirectoryHost.Build(options, TimeProvider.System, logging => logging.ClearProviders()));
        }

        return [.. members.Select(m => (m.Id, m.Port, m.Nickname))];
    }

    private async Task StartRelayAsync(int index, List<(AuthorityId Id, int Port, string Nickname)> authorities, RelayIdentityKey identity, string[] family)
    {
        var folder = Path.Combine(_root, "relay" + index);
        var address = IPAddress.Parse("127.0.0." + (10 + index));
        KeyFile.Write(identity, Path.Combine(folder, RelayKeyStore.IdentityFileName));
        var settings = new Dictionary<string, string?>
        {
            ["Relay:DataDirectory"] = folder,
            ["Relay:Nickname"] = "relay" + index,
            // Each relay on its own loopback address, as the authorities list at most two relays per address.
            ["Relay:ListenAddress"] = address.ToString(),
            ["Relay:ListenPort"] = FreePort(address).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Relay:DescriptorPublishInterval"] = "00:01:00",
            ["Relay:ConsensusFetchInterval"] = "00:00:02",
            ["Relay:ShutdownWaitLength"] = "00:00:01",
        };
        for (var i = 0; i < authorities.Count; i++)
        {
            settings[$"Relay:Authorities:{i}:Nickname"] = authorities[i].Nickname;
            settings[$"Relay:Authorities:{i}:Address"] = "127.0.0.1:" + authorities[i].Port;
            settings[$"Relay:Authorities:{i}:Identity"] = authorities[i].Id.ToString();
        }

        for (var i = 0; i < family.Length; i++)
        {
            settings[$"Relay:Family:{i}"] = family[i];
        }

        var configuration = RelayHost.ReadConfiguration(null, [], settings);
        Assert.Empty(RelayHost.Validate(configuration));
        var host = RelayHost.Build(configuration, TimeProvider.System, logging => logging.ClearProviders());
        _relays.Add(host);
        await host.StartAsync().WaitAsync(TestNetwork.Timeout);
    }

    private static async Task<byte[]> RequestConsensusAsync(TestCircuit circuit, int hop, StreamId stream)
    {
        var request = new DirectoryRequestMessage(DirectoryResource.Consensus, []).EncodeData();
        await circuit.SendAsync(hop, RelayCommand.DirectoryRequest, request, stream);
        var first = await circuit.NextAsync();
        Assert.NotNull(first);
        Assert.Equal((hop, RelayCommand.DirectoryResponse), (first.Value.Hop, first.Value.Command));
        var reader = new WireReader(first.Value.Data);
        Assert.True(DirectoryResponseMessage.TryDecode(ref reader, out var response, out _));
        Assert.Equal(DirectoryStatus.Ok, response.Status);
        var body = new List<byte>(response.BodyLength);
        while (true)
        {
            var next = await circuit.NextAsync();
            Assert.NotNull(next);
            Assert.Equal(hop, next.Value.Hop);
            if (next.Value.Command == RelayCommand.End)
            {
                break;
            }

            body.AddRange(next.Value.Data);
        }

        Assert.Equal(response.BodyLength, body.Count);
        return [.. body];
    }

    private async Task<byte[]?> ConsensusAsync(int port)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/hpc/consensus"));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Polls <paramref name="probe"/> (network state moves with voting rounds) until it gives a value.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        using var deadline = new CancellationTokenSource(s_networkReady);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
        }
    }

    private static int FreePort(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
