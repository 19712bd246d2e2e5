using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Testing.Network;

/// <summary>
/// Real directory authorities and relay hosts in this process, as `hpc-directory run` and `hpc-relay run` compose them:
/// authorities on 127.0.0.1 with a short voting interval, each relay on its own 127.N.0.1 (its own /16, so that the
/// client's path rules hold as on the internet).
/// </summary>
public sealed class InProcessNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Ready = TimeSpan.FromSeconds(120);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-inprocess-" + Guid.NewGuid().ToString("N"));
    private readonly List<WebApplication> _authorities = [];
    private readonly List<IHost> _relays = [];

    public List<(AuthorityId Id, int Port, string Nickname)> Authorities { get; } = [];

    public List<RelayId> RelayIds { get; } = [];

    public IReadOnlyList<IHost> Relays => _relays;

    /// <summary>The verified consensus that <see cref="WaitUntilReadyAsync"/> saw list every relay Running.</summary>
    public Consensus? Consensus { get; private set; }

    /// <summary>
    /// Starts the authorities, then the relays. <paramref name="family"/>, when given, names the relays each relay
    /// declares as its family (by index into the relays' ids, which exist before any relay starts).
    /// </summary>
    public static async Task<InProcessNetwork> StartAsync(
        int authorities, int relays, TimeSpan votingInterval, Func<int, IReadOnlyList<RelayId>, IEnumerable<RelayId>>? family = null)
    {
        var network = new InProcessNetwork();
        network.StartAuthorities(authorities, votingInterval);
        foreach (var authority in network._authorities)
        {
            await authority.StartAsync().WaitAsync(HiddenPoint.Testing.TestTimeouts.Step);
        }

        var identities = Enumerable.Range(0, relays).Select(_ => RelayIdentityKey.Generate()).ToArray();
        try
        {
            network.RelayIds.AddRange(identities.Select(key => key.Id));
            for (var i = 0; i < relays; i++)
            {
                await network.StartRelayAsync(i, identities[i], family?.Invoke(i, network.RelayIds) ?? []);
            }
        }
        finally
        {
            foreach (var identity in identities)
            {
                identity.Dispose();
            }
        }

        return network;
    }

    /// <summary>Waits until the first authority serves a consensus listing every relay Running, and every relay holds one
    /// listing all the others.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var http = AuthorityConsensusDownloader.CreateHttpClient(TimeSpan.FromSeconds(5), "hpc-tests");
        var downloader = new AuthorityConsensusDownloader(http, TimeSpan.FromSeconds(5));
        var pinned = Authorities.Select(a => a.Id).ToArray();
        await WaitForAsync(async () =>
        {
            var holder = new ConsensusHolder(pinned, TimeProvider.System);
            var download = await downloader.GetAsync(new RelayAddress(IPAddress.Loopback, (ushort)Authorities[0].Port), CancellationToken.None);
            if (download.Document is not null && holder.Offer(download.Document).Accepted && holder.TryGetUsable(out var usable, out _)
                && RelayIds.All(id => usable.TryGetRelay(id, out var status) && status.Flags.HasFlag(RelayFlags.Running)))
            {
                Consensus = usable;
                return true;
            }

            return false;
        }, "a consensus that lists every relay Running");
        foreach (var relay in _relays)
        {
            var holder = relay.Services.GetRequiredService<ConsensusHolder>();
            await WaitForAsync(() => Task.FromResult(holder.TryGetUsable(out var held, out _) && RelayIds.All(id => held.TryGetRelay(id, out _))), "each relay's consensus");
        }
    }

    /// <summary>The client configuration that names these authorities (bootstrap retries kept short for tests).</summary>
    public HiddenPoint.Client.Directory.ClientDirectoryOptions ClientDirectoryOptions() => new()
    {
        Authorities = [.. Authorities.Select(a => new HiddenPoint.Client.Directory.ClientAuthorityOptions { Nickname = a.Nickname, Address = "127.0.0.1:" + a.Port, Identity = a.Id.ToString() })],
        RetryInitial = TimeSpan.FromMilliseconds(250),
    };

    /// <summary>Stops the relay <paramref name="id"/>: its listener, links and circuits close, as a relay that went away.</summary>
    public async Task StopRelayAsync(RelayId id)
    {
        var index = RelayIds.IndexOf(id);
        if (index < 0)
        {
            throw new ArgumentException("Not a relay of this network.", nameof(id));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _relays[index].StopAsync(stop.Token);
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

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> probe, string what)
    {
        using var deadline = new CancellationTokenSource(Ready);
        while (!await probe())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void StartAuthorities(int count, TimeSpan votingInterval)
    {
        var members = Enumerable.Range(1, count).Select(n =>
        {
            var folder = Path.Combine(_root, "auth" + n);
            using var key = AuthorityIdentityKey.Generate();
            KeyFile.Write(key, Path.Combine(folder, AuthorityState.KeyFileName));
            return (key.Id, Port: FreePort(IPAddress.Loopback), Nickname: "auth" + n, Folder: folder);
        }).ToList();
        foreach (var self in members)
        {
            var options = new AuthorityOptions
            {
                DataDirectory = self.Folder,
                Nickname = self.Nickname,
                Listen = "127.0.0.1:" + self.Port,
                VotingInterval = votingInterval,
                Testnet = true,
                ReachabilityTimeout = TimeSpan.FromSeconds(2),

                // Every client of this network connects from 127.0.0.1, so the relays see all of a test's messengers as
                // one client address: Tor's per-address circuit limits (3/s after 90) are scaled as the testnet's are.
                Parameters = new Dictionary<string, int>
                {
                    [HiddenPoint.Protocol.Documents.NetworkParameter.DoSCircuitCreationRate.Name] = 300,
                    [HiddenPoint.Protocol.Documents.NetworkParameter.DoSCircuitCreationBurst.Name] = 9_000,
                },
                Authorities = [.. members.Where(m => m.Nickname != self.Nickname).Select(m => new PeerAuthorityOptions
                {
                    Nickname = m.Nickname,
                    Address = "127.0.0.1:" + m.Port,
                    Identity = m.Id.ToString(),
                })],
            };
            _authorities.Add(DirectoryHost.Build(options, TimeProvider.System, logging => logging.ClearProviders()));
        }

        Authorities.AddRange(members.Select(m => (m.Id, m.Port, m.Nickname)));
    }

    private async Task StartRelayAsync(int index, RelayIdentityKey identity, IEnumerable<RelayId> family)
    {
        var folder = Path.Combine(_root, "relay" + index);
        var address = IPAddress.Parse($"127.{10 + index}.0.1");
        KeyFile.Write(identity, Path.Combine(folder, RelayKeyStore.IdentityFileName));
        var settings = new Dictionary<string, string?>
        {
            ["Relay:DataDirectory"] = folder,
            ["Relay:Nickname"] = "relay" + index,
            ["Relay:ListenAddress"] = address.ToString(),
            ["Relay:ListenPort"] = FreePort(address).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Relay:DescriptorPublishInterval"] = "00:01:00",
            ["Relay:ConsensusFetchInterval"] = "00:00:02",
            ["Relay:ShutdownWaitLength"] = "00:00:01",
        };
        for (var i = 0; i < Authorities.Count; i++)
        {
            settings[$"Relay:Authorities:{i}:Nickname"] = Authorities[i].Nickname;
            settings[$"Relay:Authorities:{i}:Address"] = "127.0.0.1:" + Authorities[i].Port;
            settings[$"Relay:Authorities:{i}:Identity"] = Authorities[i].Id.ToString();
        }

        foreach (var (member, i) in family.Select((member, i) => (member, i)))
        {
            settings[$"Relay:Family:{i}"] = member.ToString();
        }

        var configuration = RelayHost.ReadConfiguration(null, [], settings);
        var problems = RelayHost.Validate(configuration);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The test relay's configuration is refused: " + string.Join("; ", problems));
        }

        var host = RelayHost.Build(configuration, TimeProvider.System, logging => logging.ClearProviders());
        _relays.Add(host);
        await host.StartAsync().WaitAsync(HiddenPoint.Testing.TestTimeouts.Step);
    }
}
