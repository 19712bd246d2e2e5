using HiddenPoint.Client;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Testing.Network;
using HiddenPoint.Network.Directory;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Client;

/// <summary>
/// The client core against real authorities and relay hosts in this process: bootstrap from the authorities, the cache on
/// disk, a restart from it, a corrupt cache refused and refetched, refreshes through the guard, and circuits of every
/// shape through real relays.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Disposed in IAsyncLifetime.DisposeAsync, which xunit calls after each test.")]
public sealed class ClientCoreNetworkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hpc-client-core-" + Guid.NewGuid().ToString("N"));
    private readonly TestMeterFactory _meters = new();
    private InProcessNetwork? _network;

    [Fact]
    public async Task Bootstraps_caches_restarts_refuses_a_corrupt_cache_and_builds_circuits_through_real_relays()
    {
        _network = await InProcessNetwork.StartAsync(authorities: 3, relays: 5, votingInterval: TimeSpan.FromSeconds(4));
        await _network.WaitUntilReadyAsync();
        var options = new ClientDirectoryOptions
        {
            Authorities = [.. _network.Authorities.Select(a => new ClientAuthorityOptions { Nickname = a.Nickname, Address = "127.0.0.1:" + a.Port, Identity = a.Id.ToString() })],
            RetryInitial = TimeSpan.FromMilliseconds(250),
        };

        // First run: nothing cached, the consensus comes from an authority and is written to the cache.
        await using (var client = Client(options))
        {
            Assert.Equal(DirectoryCacheStatus.None, client.Directory.LoadCache().Status);
            await client.Directory.BootstrapAsync(CancellationToken.None).WaitAsync(InProcessNetwork.Ready);
            Assert.Equal(ConsensusSourceKind.Authority, client.Directory.LastSource);
            Assert.True(File.Exists(CachePath));

            // A refresh goes through the guard as directory cache. A guard whose relay has not fetched the newest
            // consensus yet is behind, and the round falls back to the authorities; the relays fetch every 2 s.
            using (var deadline = new CancellationTokenSource(InProcessNetwork.Ready))
            {
                while (await client.Directory.FetchOnceAsync(deadline.Token) != ConsensusSourceKind.Guard)
                {
                    await Task.Delay(250, deadline.Token);
                }
            }

            // Three-hop circuits through real relays, timed.
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var started = TimeProvider.System.GetTimestamp();
                var built = await client.Circuits.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);
                times.Add(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
                Assert.Equal(3, built.Circuit.HopCount);
                AssertRules(client.Rules, built.Path);
                await built.Circuit.CloseAsync();
            }

            times.Sort();
            output.WriteLine($"3-hop build through real relays: median {times[10]:0.00} ms, min {times[0]:0.00} ms, max {times[^1]:0.00} ms");

            // A hidden-point purpose with a named last hop: guard, vanguard, middle, target.
            var consensus = client.Consensus.GetUsable();
            // The target is the first primary guard's relay: the path must move to another guard to keep it off the path.
            var target = consensus.Relays.First(r => r.Id == client.Guards.Primary[0]);
            var hsdir = await client.Circuits.GetAsync(CircuitPurpose.HsDir, target, CancellationToken.None).WaitAsync(TestTimeouts.Step);
            Assert.Equal(4, hsdir.Circuit.HopCount);
            Assert.Contains(hsdir.Path[1].Id, client.Guards.Vanguards.Select(v => v.Id));
            Assert.Same(target, hsdir.LastRelay);
            Assert.NotEqual(target.Id, hsdir.Path[0].Id);
            AssertRules(client.Rules, hsdir.Path);
            await hsdir.Circuit.CloseAsync();

            // The pool fills in the background, and a connect takes a ready circuit.
            client.Circuits.StartPool();
            await WaitUntilAsync(() => client.Circuits.PooledCount == 4, "the pool to fill");
            var started2 = TimeProvider.System.GetTimestamp();
            var pooled = await client.Circuits.GetAsync(CircuitPurpose.ClientRendezvous, null, CancellationToken.None);
            output.WriteLine($"circuit from the pool in {TimeProvider.System.GetElapsedTime(started2).TotalMilliseconds:0.00} ms");
            Assert.Equal(3, pooled.Circuit.HopCount);
            Assert.Contains(pooled.Path[1].Id, client.Guards.Vanguards.Select(v => v.Id));
            await pooled.Circuit.CloseAsync();

            // Started, the core refreshes on its schedule: the network votes every 4 s, so a newer consensus comes soon.
            var held = client.Consensus.Latest!.ValidAfter;
            await client.StartAsync(CancellationToken.None).WaitAsync(TestTimeouts.Step);
            await WaitUntilAsync(() => client.Consensus.Latest!.ValidAfter > held, "a refresh to take a newer consensus", InProcessNetwork.Ready);
            output.WriteLine($"refreshed from {client.Directory.LastSource}");
        }

        // Restart: the consensus comes from the cache, and the guards from the state file.
        await using (var client = Client(options))
        {
            Assert.Equal(DirectoryCacheStatus.Loaded, client.Directory.LoadCache().Status);
            Assert.Equal(GuardStateLoadStatus.Loaded, client.Guards.LoadStatus.Status);
            Assert.NotEmpty(client.Guards.Confirmed);
            var built = await client.Circuits.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);
            Assert.Contains(built.Path[0].Id, client.Guards.Primary);
            await built.Circuit.CloseAsync();
        }

        // A corrupt cache is refused with its status, then a fresh consensus is fetched and cached again.
        var bytes = await File.ReadAllBytesAsync(CachePath);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(CachePath, bytes);
        await using (var client = Client(options))
        {
            var load = client.Directory.LoadCache();
            Assert.Equal(DirectoryCacheStatus.Corrupt, load.Status);
            output.WriteLine("corrupt cache: " + load.Message);
            await client.Directory.BootstrapAsync(CancellationToken.None).WaitAsync(InProcessNetwork.Ready);
            Assert.Equal(ConsensusSourceKind.Authority, client.Directory.LastSource);
        }

        await using (var client = Client(options))
        {
            Assert.Equal(DirectoryCacheStatus.Loaded, client.Directory.LoadCache().Status);
        }
    }

    // xunit v2 disposes a test class through IAsyncLifetime (it never calls IAsyncDisposable.DisposeAsync).
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }

        _meters.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private string CachePath => Path.Combine(_data, ClientDirectoryOptions.CacheFileName);

    private static void AssertRules(PathRules rules, IReadOnlyList<HiddenPoint.Protocol.Documents.RelayStatus> path)
    {
        Assert.True(path[0].Flags.HasFlag(HiddenPoint.Protocol.Documents.RelayFlags.Guard));
        for (var a = 0; a < path.Count; a++)
        {
            for (var b = a + 1; b < path.Count; b++)
            {
                Assert.Equal(PathConflict.None, rules.Check(path[a], path[b]));
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? TestTimeouts.Step);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("timed out waiting for " + what);
            }
        }
    }

    private ClientCore Client(ClientDirectoryOptions options) => ClientCore.Create(
        new ClientCoreOptions { DataDirectory = _data, Directory = options },
        TimeProvider.System,
        NullLoggerFactory.Instance,
        _meters);
}
