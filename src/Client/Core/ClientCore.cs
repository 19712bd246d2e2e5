using System.Diagnostics.Metrics;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client;

/// <summary>
/// The client core composed (docs/client.md): the consensus holder with its cache, the directory that bootstraps and
/// refreshes it, the link manager, the guard and vanguard sets with their state file, the circuit builder, and over them
/// the connector to others' hidden points and the host of the user's own. The hpc-client program, the messaging layer
/// and the benchmarks create one per process.
/// </summary>
public sealed class ClientCore : IAsyncDisposable
{
    private readonly LinkRuntime _runtime;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ClientCoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private Task? _refresh;

    private ClientCore(
        ClientCoreOptions options,
        TimeProvider time,
        ILoggerFactory loggers,
        LinkRuntime runtime,
        HttpClient http,
        ConsensusHolder consensus,
        ClientDirectory directory,
        LinkManager links,
        PathRules rules,
        GuardManager guards,
        CircuitBuilder circuits)
    {
        _options = options;
        _time = time;
        _loggers = loggers;
        _runtime = runtime;
        _http = http;
        Consensus = consensus;
        Directory = directory;
        Links = links;
        Rules = rules;
        Guards = guards;
        Circuits = circuits;
        Connector = new HiddenPointConnector(circuits, consensus, Options.Create(options.Connect), time, loggers.CreateLogger<HiddenPointConnector>());
    }

    /// <summary>The verified consensus (and its cache file).</summary>
    public ConsensusHolder Consensus { get; }

    /// <summary>Bootstrap, cache status and refreshes.</summary>
    public ClientDirectory Directory { get; }

    /// <summary>The client's links to its guards.</summary>
    public LinkManager Links { get; }

    /// <summary>The path rules in force.</summary>
    public PathRules Rules { get; }

    /// <summary>Guards and vanguards.</summary>
    public GuardManager Guards { get; }

    /// <summary>The circuit builder: the <see cref="ICircuitProvider"/> of the hidden-point code.</summary>
    public CircuitBuilder Circuits { get; }

    /// <summary>Connects to others' hidden points by hidden-id.</summary>
    public HiddenPointConnector Connector { get; }

    /// <summary>
    /// Starts keeping the hidden point of <paramref name="identity"/> online: introduction circuits, descriptors at the
    /// HSDirs, answers to introductions. The caller reads its connections and disposes it to go offline.
    /// </summary>
    public HostedHiddenPoint Host(HiddenPointIdentityKey identity)
    {
        var host = new HostedHiddenPoint(identity, Circuits, Consensus, Options.Create(_options.Hosting), _time, _loggers.CreateLogger<HostedHiddenPoint>());
        host.Start();
        return host;
    }

    /// <summary>Builds the core; nothing touches the network until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The configuration; validated here.</param>
    /// <param name="timeProvider">The clock of every timer.</param>
    /// <param name="loggerFactory">Where the core's parts log.</param>
    /// <param name="meterFactory">Where the links' instruments are made.</param>
    /// <param name="families">Where relay families come from; <see cref="ConsensusFamilies"/> (the mutual declarations of
    /// the consensus entries) when null.</param>
    /// <exception cref="OptionsValidationException">An option is out of range; the message names it.</exception>
    public static ClientCore Create(ClientCoreOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, IMeterFactory meterFactory, IRelayFamilies? families = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(meterFactory);
        options.Validate();
        var consensus = new ConsensusHolder(
            ClientDirectory.PinnedAuthorities(options.Directory),
            timeProvider,
            logger: loggerFactory.CreateLogger<ConsensusHolder>(),
            cachePath: Path.Combine(options.DataDirectory, ClientDirectoryOptions.CacheFileName));
        var runtime = new LinkRuntime(Options.Create(options.Link), Options.Create(options.Circuit), timeProvider, loggerFactory, meterFactory);
        var links = new LinkManager(runtime, Options.Create(options.LinkManager));
        var rules = new PathRules(families ?? ConsensusFamilies.Instance, options.Paths);
        var picker = new WeightedRelayPicker(rules);
        var guards = new GuardManager(
            options.Guards,
            new GuardStateFile(options.DataDirectory, timeProvider, loggerFactory.CreateLogger<GuardStateFile>()),
            picker,
            timeProvider,
            loggerFactory.CreateLogger<GuardManager>());
        var circuits = new CircuitBuilder(consensus, links, new PathSelector(picker, guards, new RecentlyUnreachableRelays(timeProvider, options.Paths.UnreachableAvoidance)), guards, options.Circuits, timeProvider, loggerFactory.CreateLogger<CircuitBuilder>());
        var http = AuthorityConsensusDownloader.CreateHttpClient(options.Directory.AuthorityRequestTimeout, "hpc-client");
        var directory = new ClientDirectory(
            options.Directory,
            consensus,
            new AuthorityConsensusDownloader(http, options.Directory.AuthorityRequestTimeout),
            circuits,
            timeProvider,
            loggerFactory.CreateLogger<ClientDirectory>());
        return new ClientCore(options, timeProvider, loggerFactory, runtime, http, consensus, directory, links, rules, guards, circuits);
    }

    /// <summary>
    /// Loads the consensus cache, bootstraps until a consensus is usable, then starts the refresh task and the circuit
    /// pool. Returns when circuits can be built; cancel to give up waiting.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Directory.BootstrapAsync(cancellationToken).ConfigureAwait(false);
        _refresh ??= Task.Run(() => Directory.RunAsync(_stopping.Token), CancellationToken.None);
        Circuits.StartPool();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refresh is not null)
        {
            await _refresh.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Circuits.DisposeAsync().ConfigureAwait(false);
        await Links.DisposeAsync().ConfigureAwait(false);
        _runtime.Dispose();
        _http.Dispose();
        _stopping.Dispose();
    }
}
