using System.Diagnostics.Metrics;
using System.Net;
using HiddenPoint.DirectoryAuthority.Reachability;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>Builds the authority's host: options, state, the voting round and the HTTP API on Kestrel.</summary>
internal static class DirectoryHost
{
    /// <summary>The prefix of environment variables that configure the authority (<c>HPC_DIRECTORY__Listen</c>…).</summary>
    public const string EnvironmentPrefix = "HPC_DIRECTORY__";

    /// <summary>Reads options from an optional JSON file, then environment variables, then the command line (later wins).</summary>
    /// <exception cref="InvalidDataException">The JSON file is not JSON (the configuration provider's report of it).</exception>
    /// <exception cref="FormatException">The JSON file holds a key twice, or a command-line argument is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its option's type.</exception>
    public static AuthorityOptions ReadOptions(string? configFile, string[] commandLine)
    {
        var configuration = new ConfigurationBuilder();
        if (configFile is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        var root = configuration.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(commandLine).Build();
        var options = new AuthorityOptions();
        root.Bind(options);
        return options;
    }

    /// <summary>The problems with <paramref name="options"/>, each naming its option; empty when they are usable.</summary>
    public static IReadOnlyList<string> Validate(AuthorityOptions options)
    {
        var result = new AuthorityOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures ?? []] : [];
    }

    /// <summary>Builds the host for validated options. Loads the key and saved state (throws <see cref="HiddenPoint.Crypto.Keys.KeyFileException"/>).</summary>
    public static WebApplication Build(AuthorityOptions options, TimeProvider clock, Action<ILoggingBuilder>? logging = null)
    {
        var problems = Validate(options);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(AuthorityOptions), typeof(AuthorityOptions), problems);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Per-request lines would drown the rounds' own log; failures are still reported.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        var state = new AuthorityState(options, clock);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<DescriptorPersistence>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DescriptorPersistence>());
        if (options.ReachabilityTesting)
        {
            // The tests' handshakes run on a link runtime of their own, timed by the authority's clock.
            builder.Services.AddSingleton(services => new LinkRuntime(
                Options.Create(new LinkOptions { HandshakeTimeout = options.ReachabilityTimeout }),
                Options.Create(new CircuitOptions()),
                clock,
                services.GetRequiredService<ILoggerFactory>(),
                services.GetRequiredService<IMeterFactory>()));
            builder.Services.AddSingleton(services => new RelayReachability(
                services.GetRequiredService<LinkRuntime>(),
                options.ReachabilityTimeout,
                options.ReachabilityParallelism,
                services.GetRequiredService<ILogger<RelayReachability>>()));
        }

        builder.Services.AddHostedService(services => new VotingRound(
            state,
            clock,
            services.GetRequiredService<IOptions<AuthorityOptions>>(),
            services.GetRequiredService<ILogger<VotingRound>>(),
            services.GetService<RelayReachability>()));
        var listen = options.ListenAddress;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(new IPEndPoint(listen.Address, listen.Port));
            // The largest body any endpoint takes; each endpoint lowers it to its own (DirectoryLimits).
            kestrel.Limits.MaxRequestBodySize = DirectoryLimits.VoteBody(state.Store.Options.MaxRelays);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        DirectoryEndpoints.Map(app, state, app.Services.GetRequiredService<DescriptorPersistence>());
        return app;
    }
}
