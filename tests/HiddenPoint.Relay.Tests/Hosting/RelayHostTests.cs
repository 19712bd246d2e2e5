using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Relay.Authorities;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.Hosting;

public sealed class RelayHostTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Dictionary<string, string?> Settings() => new()
    {
        ["Relay:DataDirectory"] = _folder.Path,
        ["Relay:Nickname"] = "Relay1",
        ["Relay:ListenAddress"] = "127.0.0.1",
        ["Relay:ListenPort"] = "0",
        ["Relay:ShutdownWaitLength"] = "00:00:05",
        ["Relay:Authorities:0:Nickname"] = "auth1",
        ["Relay:Authorities:0:Address"] = "127.0.0.1:7000",
        ["Relay:Authorities:0:Identity"] = AuthorityIdentityKey.Generate().Id.ToString(),
    };

    [Fact]
    public void The_host_composes_the_relay_from_configuration()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using var host = RelayHost.Build(RelayHost.ReadConfiguration(null, [], Settings()), TimeProvider.System);
        var services = host.Services;
        var keys = services.GetRequiredService<RelayKeyStore>();
        Assert.Equal(identity.Id, keys.Id);
        Assert.Same(keys, services.GetRequiredService<IRelayKeys>());
        Assert.Same(services.GetRequiredService<ConsensusHolder>(), services.GetRequiredService<IConsensusSource>());
        Assert.Same(services.GetRequiredService<AddressLimiter>(), services.GetRequiredService<IAddressAdmission>());
        Assert.Equal(Path.Combine(_folder.Path, "cached-consensus"), Path.Combine(_folder.Path, ConsensusFetcher.CacheFileName));

        var hosted = services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.Contains(typeof(RelayService), hosted);
        Assert.Contains(typeof(DescriptorPublisher), hosted);
        Assert.Contains(typeof(ConsensusFetcher), hosted);
        Assert.Contains(typeof(MemoryLimitMonitor), hosted);

        var hostOptions = services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(15), hostOptions.ShutdownTimeout);
        Assert.Equal(BackgroundServiceExceptionBehavior.StopHost, hostOptions.BackgroundServiceExceptionBehavior);
    }

    [Fact]
    public void The_hsdir_store_answers_to_the_relays_place_on_the_ring_and_the_streams_to_the_memory_limit()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using var host = RelayHost.Build(RelayHost.ReadConfiguration(null, [], Settings()), TimeProvider.System);
        var services = host.Services;
        var assignment = services.GetRequiredService<HsDirAssignment>();
        Assert.Equal(identity.Id, assignment.Self);

        // No consensus is held yet: the store cannot tell which keys are this relay's, and keeps none.
        Assert.Equal(HsDirStoreResult.NoConsensus, services.GetRequiredService<HsDirStore>().Store(new byte[32], "x"u8));
        Assert.Equal(0, services.GetRequiredService<DirectoryStreamRole>().PendingUploadBytes);
    }

    [Fact]
    public async Task Options_are_validated_when_the_host_starts()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        var settings = Settings();
        settings["Relay:Nickname"] = "not valid";
        using var host = RelayHost.Build(RelayHost.ReadConfiguration(null, [], settings), TimeProvider.System);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestTimeouts.Host));
        Assert.Contains(e.Failures, f => f.StartsWith("Relay:Nickname:", StringComparison.Ordinal));
    }

    [Fact]
    public void Metrics_are_exported_only_when_configured()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using (var quiet = RelayHost.Build(RelayHost.ReadConfiguration(null, [], Settings()), TimeProvider.System))
        {
            Assert.Null(quiet.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        }

        var settings = Settings();
        settings["Telemetry:PrometheusEndpoint"] = $"http://127.0.0.1:{LoopbackPorts.Unused()}/metrics";
        using var exporting = RelayHost.Build(RelayHost.ReadConfiguration(null, [], settings), TimeProvider.System);
        Assert.NotNull(exporting.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }
}
