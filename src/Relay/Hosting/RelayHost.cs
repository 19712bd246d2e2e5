using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Diagnostics;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Relay.Authorities;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace HiddenPoint.Relay.Hosting;

/// <summary>
/// Composes the relay: configuration (JSON file, then <c>HPC_RELAY__</c> environment variables, then the command line;
/// later sources win), validated options, the keys, the consensus holder, the engine and its roles, the descriptor
/// publisher, the consensus fetcher, console logging (journal-friendly under systemd) and, when configured, metrics
/// export.
/// </summary>
internal static class RelayHost
{
    /// <summary>The prefix of environment variables that configure the relay (<c>HPC_RELAY__Relay__Nickname</c>…).</summary>
    public const string EnvironmentPrefix = "HPC_RELAY__";

    /// <summary>The configuration file read from the data directory when <c>--config</c> is not given.</summary>
    public const string DefaultConfigFileName = "relay.json";

    /// <summary>How much longer than <see cref="RelayOptions.ShutdownWaitLength"/> the host gives its services to stop.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads the configuration: <paramref name="configFile"/> (required when given; otherwise <c>relay.json</c> in the
    /// data directory if there is one), then environment variables, then <paramref name="commandLine"/>.
    /// </summary>
    /// <exception cref="FormatException">A command-line argument or the JSON file is malformed.</exception>
    /// <exception cref="IOException">The configuration file cannot be read.</exception>
    public static IConfigurationRoot ReadConfiguration(string? configFile, string[] commandLine, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else
        {
            var early = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(commandLine).Build();
            var folder = early[RelayOptions.Section + ":" + nameof(RelayOptions.DataDirectory)] ?? RelayOptions.DefaultDataDirectory;
            var file = Path.GetFullPath(Path.Combine(folder, DefaultConfigFileName));
            if (File.Exists(file))
            {
                builder.AddJsonFile(file, optional: true, reloadOnChange: false);
            }
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(commandLine);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>The relay's options as <paramref name="configuration"/> sets them.</summary>
    public static RelayOptions RelayOptionsFrom(IConfiguration configuration) =>
        configuration.GetSection(RelayOptions.Section).Get<RelayOptions>() ?? new RelayOptions();

    /// <summary>Every problem with the configured options, each naming its option; empty when they are usable.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its option's type.</exception>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var problems = new List<string>();
        problems.AddRange(RelayOptionsValidator.Problems(RelayOptionsFrom(configuration)));
        problems.AddRange(TelemetryOptionsValidator.Problems(Bind<TelemetryOptions>(configuration, TelemetryOptions.Section)));
        Add(problems, new RelayEngineOptionsValidator().Validate(null, Bind<RelayEngineOptions>(configuration, "Engine")));
        Add(problems, new RelayLimitsOptionsValidator().Validate(null, Bind<RelayLimitsOptions>(configuration, "Limits")));
        Add(problems, new HiddenPointRoleOptionsValidator().Validate(null, Bind<HiddenPointRoleOptions>(configuration, "HiddenPoints")));
        var hsDir = Bind<HsDirStoreOptions>(configuration, "HsDir");
        if (hsDir.MaxBytes is < HsDirStoreOptions.MinMaxBytes or > HsDirStoreOptions.MaxMaxBytes)
        {
            problems.Add($"HsDir:MaxBytes: {hsDir.MaxBytes} is not from {HsDirStoreOptions.MinMaxBytes} to {HsDirStoreOptions.MaxMaxBytes}.");
        }

        if (hsDir.SweepInterval < HsDirStoreOptions.MinSweepInterval || hsDir.SweepInterval > HsDirStoreOptions.MaxSweepInterval)
        {
            problems.Add($"HsDir:SweepInterval: {hsDir.SweepInterval} is not from {HsDirStoreOptions.MinSweepInterval} to {HsDirStoreOptions.MaxSweepInterval}.");
        }

        return problems;
    }

    /// <summary>Builds the host. Options are validated again when it starts (<c>ValidateOnStart</c>).</summary>
    public static IHost Build(IConfiguration configuration, TimeProvider clock, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "hpc-relay",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        var relay = RelayOptionsFrom(configuration);
        var telemetry = Bind<TelemetryOptions>(configuration, TelemetryOptions.Section);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        logging?.Invoke(builder.Logging);

        // Under systemd: sd_notify READY/STOPPING and journal-friendly log lines (no timestamps, syslog priorities).
        builder.Services.AddSystemd();
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host =>
        {
            host.ShutdownTimeout = relay.ShutdownWaitLength + ShutdownMargin;
            host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        var services = builder.Services;
        services.AddSingleton(clock);
        services.AddMetrics();
        AddOptions<RelayOptions, RelayOptionsValidator>(services, configuration, RelayOptions.Section);
        AddOptions<TelemetryOptions, TelemetryOptionsValidator>(services, configuration, TelemetryOptions.Section);
        AddOptions<RelayEngineOptions, RelayEngineOptionsValidator>(services, configuration, "Engine");
        AddOptions<RelayLimitsOptions, RelayLimitsOptionsValidator>(services, configuration, "Limits");
        AddOptions<HiddenPointRoleOptions, HiddenPointRoleOptionsValidator>(services, configuration, "HiddenPoints");
        services.AddOptions<HsDirStoreOptions>().Bind(configuration.GetSection("HsDir"))
            .Validate(o => o.MaxBytes is >= HsDirStoreOptions.MinMaxBytes and <= HsDirStoreOptions.MaxMaxBytes,
                $"HsDir:MaxBytes: must be from {HsDirStoreOptions.MinMaxBytes} to {HsDirStoreOptions.MaxMaxBytes}.")
            .Validate(o => o.SweepInterval >= HsDirStoreOptions.MinSweepInterval && o.SweepInterval <= HsDirStoreOptions.MaxSweepInterval,
                $"HsDir:SweepInterval: must be from {HsDirStoreOptions.MinSweepInterval} to {HsDirStoreOptions.MaxSweepInterval}.")
            .ValidateOnStart();

        services.AddSingleton<RelayKeyStore>();
        services.AddSingleton<IRelayKeys>(sp => sp.GetRequiredService<RelayKeyStore>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RelayOptions>>().Value;
            return new ConsensusHolder(
                options.AuthorityIds(),
                sp.GetRequiredService<TimeProvider>(),
                logger: sp.GetRequiredService<ILogger<ConsensusHolder>>(),
                cachePath: Path.Combine(options.DataDirectory, ConsensusFetcher.CacheFileName));
        });
        services.AddSingleton<IConsensusSource>(sp => sp.GetRequiredService<ConsensusHolder>());
        services.AddSingleton<RelayListenerState>();
        services.AddSingleton<AuthorityClient>();

        // Constructed with the MemoryQuota singleton below (descriptors count against the memory limit's cache share)
        // and this relay's place on the HSDir ring by the consensus it holds (misplaced uploads are refused).
        services.AddSingleton(sp => new HsDirAssignment(sp.GetRequiredService<IConsensusSource>(), sp.GetRequiredService<IRelayKeys>()));
        services.AddSingleton<HsDirStore>();

        // The quota counts the cells queued on the engine's own link runtime, in circuits and on links. The engine is
        // built after the quota (the address limiter it is given consults the quota), so the runtime is looked up on
        // first use.
        services.AddSingleton(sp =>
        {
            RelayEngine? engine = null;
            return new MemoryQuota(
                sp.GetRequiredService<IOptions<RelayLimitsOptions>>().Value,
                () => (engine ??= sp.GetRequiredService<RelayEngine>()).Runtime.QueuedBytes);
        });
        services.AddSingleton(sp =>
        {
            // The consensus' network parameters override the configured limits as soon as one is held.
            var limiter = ActivatorUtilities.CreateInstance<AddressLimiter>(sp);
            var holder = sp.GetRequiredService<ConsensusHolder>();
            holder.Changed += (_, consensus) => limiter.ApplyNetworkParameters(consensus.Parameters);
            if (holder.Latest is { } latest)
            {
                limiter.ApplyNetworkParameters(latest.Parameters);
            }

            return limiter;
        });
        services.AddSingleton<IAddressAdmission>(sp => sp.GetRequiredService<AddressLimiter>());
        services.AddSingleton<IMemoryLimitCircuits, EngineCircuits>();
        services.AddSingleton<IntroductionPointRole>();
        services.AddSingleton<RendezvousPointRole>();
        services.AddSingleton<DirectoryStreamRole>();
        services.AddSingleton<RelayEngine>();

        services.AddSingleton<RelayService>();
        services.AddSingleton<DescriptorPublisher>();
        services.AddSingleton<ConsensusFetcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayService>());
        services.AddHostedService(sp => sp.GetRequiredService<ConsensusFetcher>());
        services.AddHostedService(sp => sp.GetRequiredService<DescriptorPublisher>());
        services.AddHostedService<MemoryLimitMonitor>();
        services.AddHostedService<HsDirSweeper>();

        if (telemetry.AnyExporter)
        {
            AddTelemetry(services, telemetry);
        }

        return builder.Build();
    }

    private static void AddTelemetry(IServiceCollection services, TelemetryOptions telemetry)
    {
        var interval = (int)telemetry.ExportInterval.TotalMilliseconds;
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(RelayTelemetry.MeterName, NetworkMetrics.MeterName);
            if (telemetry.Console)
            {
                metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
            }

            if (telemetry.OtlpEndpoint.Length > 0)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = new Uri(telemetry.OtlpEndpoint);
                    exporter.Protocol = telemetry.OtlpProtocol == "HttpProtobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                });
            }

            if (telemetry.PrometheusEndpoint.Length > 0)
            {
                var scrape = new Uri(telemetry.PrometheusEndpoint);
                metrics.AddPrometheusHttpListener(prometheus =>
                {
                    prometheus.Host = scrape.Host;
                    prometheus.Port = scrape.Port;
                    prometheus.ScrapeEndpointPath = scrape.AbsolutePath;
                });
            }
        });
    }

    private static void AddOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : class, new() => configuration.GetSection(section).Get<T>() ?? new T();

    private static void Add(List<string> problems, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            problems.AddRange(result.Failures ?? []);
        }
    }
}
