using System.Runtime.InteropServices;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay;

internal static class Program
{
    /// <summary>Success, or a clean shutdown after SIGTERM/SIGINT.</summary>
    public const int ExitOk = 0;

    /// <summary>The relay failed while running (a port in use, a disk error, an unexpected fault).</summary>
    public const int ExitFailure = 1;

    /// <summary>The command line is wrong (sysexits EX_USAGE).</summary>
    public const int ExitUsage = 64;

    /// <summary>The configuration or the identity key cannot be used (sysexits EX_CONFIG).</summary>
    public const int ExitConfig = 78;

    internal const string Usage = """
        hpc-relay: a HiddenPoint relay.

        A relay carries onion-routed circuits for clients and other relays, and serves as introduction point,
        rendezvous point and hidden-point directory. It uploads its signed descriptor to the directory authorities
        and follows their consensus.

        Commands:
          hpc-relay keygen [--data-dir DIR] [--force]
              Creates DIR/identity.key (owner-only; DIR defaults to /var/lib/hpc-relay) and prints the relay's id.
              An existing identity is never replaced unless --force is given: a new identity is a new relay.

          hpc-relay run [--config FILE] [--Section:Option=value ...]
              Runs the relay until SIGTERM or SIGINT. Options come from FILE (JSON; without --config,
              DATADIR/relay.json if it exists), then environment variables, then the command line; later sources
              win. Environment form: HPC_RELAY__Section__Option, e.g. HPC_RELAY__Relay__Nickname=MyRelay,
              HPC_RELAY__Relay__Authorities__0__Address=127.0.0.1:7000.

          hpc-relay --help      this text
          hpc-relay --version   the program's version

        Relay options (section Relay; e.g. --Relay:ListenPort=9001):
          DataDirectory               keys and the cached consensus (default /var/lib/hpc-relay)
          Nickname                    1-19 letters and digits (required)
          ListenAddress               IP address the link listener binds (default 0.0.0.0)
          ListenPort                  TCP port, 0 = any free port (default 9001)
          AdvertisedAddress           address listed in the descriptor (default: ListenAddress; required when that is
                                      0.0.0.0 or ::)
          AdvertisedPort              port listed in the descriptor, 0 = the bound port (default 0)
          Bandwidth                   advertised bytes per second (default 1000000)
          Family:N                    identities of the operator's relays, at most 64; this relay's own id may be
                                      listed (default none). Relays are one family only when each lists the other
          Authorities:N:Nickname, Authorities:N:Address, Authorities:N:Identity
                                      the directory authorities: name, host:port of their HTTP API, and the identity
                                      `hpc-directory keygen` printed (at least one)
          ShutdownWaitLength          how long shutdown lets open circuits finish (default 00:00:30)
          DescriptorPublishInterval   time between descriptor uploads; changes upload at once (default 01:00:00)
          ConsensusFetchInterval      the longest time between consensus downloads (default 01:00:00)
          AuthorityRequestTimeout     one HTTP request to an authority (default 00:00:30)
          CircuitHandshakeKeyLifetime how long an ntor key is used (default 28.00:00:00)
          CircuitHandshakeKeyOverlap  how long the replaced ntor key is still answered (default 7.00:00:00)
          LinkKeyLifetime             how long a link key is used (default 28.00:00:00)
          LinkKeyOverlap              how long the replaced link key is still answered (default 7.00:00:00)

        Telemetry options (section Telemetry; nothing is exported unless set):
          Console                     true: print metrics every ExportInterval (default false)
          OtlpEndpoint                OTLP collector URL, e.g. http://127.0.0.1:4317 (default off)
          OtlpProtocol                Grpc or HttpProtobuf (default Grpc)
          PrometheusEndpoint          scrape URL on loopback only, e.g. http://127.0.0.1:9464/metrics (default off)
          ExportInterval              push interval for Console and OTLP (default 00:01:00)

        Sections Engine (the circuit engine, with Engine:Link and Engine:Circuit, e.g.
        --Engine:Link:IdleTimeout=00:03:00), Limits, HiddenPoints and HsDir tune the components; Logging:LogLevel
        sets log levels (e.g. --Logging:LogLevel:Default=Debug). docs/relay.md lists them all.

        Example configuration file:
          { "Relay": { "DataDirectory": "/var/lib/hpc-relay", "Nickname": "MyRelay",
                       "ListenAddress": "0.0.0.0", "ListenPort": 9001, "AdvertisedAddress": "192.0.2.7",
                       "Authorities": [ { "Nickname": "auth1", "Address": "192.0.2.1:7000",
                                          "Identity": "<43 characters>" } ] },
            "Telemetry": { "PrometheusEndpoint": "http://127.0.0.1:9464/metrics" } }

        Shutdown: the first SIGTERM or SIGINT stops new links and circuits, lets open circuits finish for up to
        ShutdownWaitLength, destroys the rest and exits 0. A second signal exits at once.

        Exit codes: 0 success; 1 failure (while running, or keygen finding an identity already there); 64 usage error; 78 configuration error (a bad option, a
        missing or corrupt identity key); 130/143 a second SIGINT/SIGTERM cut the shutdown short.
        """;

    internal static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["--help" or "-h" or "help", ..]:
                Console.WriteLine(Usage);
                return ExitOk;
            case []:
                Console.Error.WriteLine(Usage);
                return ExitUsage;
            case ["--version"]:
                Console.WriteLine("hpc-relay " + Authorities.DescriptorPublisher.Software.Split('/')[1]);
                return ExitOk;
            case ["keygen", .. var rest]:
                return Keygen(rest);
            case ["run", .. var rest]:
                try
                {
                    return await Run(rest).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The last resort: whatever escaped is reported as a failure, not a crash dump.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Console.Error.WriteLine($"hpc-relay: unexpected failure: {e}");
                    return ExitFailure;
                }

            default:
                Console.Error.WriteLine($"hpc-relay: unknown command '{args[0]}'. Run `hpc-relay --help`.");
                return ExitUsage;
        }
    }

    private static int Keygen(string[] args)
    {
        var folder = RelayOptions.DefaultDataDirectory;
        var force = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length:
                    folder = args[++i];
                    break;
                case "--force":
                    force = true;
                    break;
                default:
                    Console.Error.WriteLine("hpc-relay keygen: usage: hpc-relay keygen [--data-dir DIR] [--force]");
                    return ExitUsage;
            }
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        var path = Path.Combine(folder, RelayKeyStore.IdentityFileName);
        using var key = RelayIdentityKey.Generate();
        try
        {
            KeyFile.Write(key, path, replace: force);
        }
        catch (KeyFileException e) when (e.Problem == KeyFileProblem.AlreadyExists)
        {
            Console.Error.WriteLine($"hpc-relay keygen: {path} already holds this relay's identity; it is not replaced. " +
                "Give --force to make a new identity (the relay then joins the network as a new relay).");
            return ExitFailure;
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine($"hpc-relay keygen: {e.Message}");
            return ExitFailure;
        }

        Console.WriteLine($"Wrote {path}.");
        Console.WriteLine($"relay id {key.Id}");
        return ExitOk;
    }

    private static async Task<int> Run(string[] args)
    {
        string? configFile = null;
        if (args is ["--config", var file, .. var rest])
        {
            configFile = file;
            args = rest;
        }
        else if (args is ["--config"])
        {
            Console.Error.WriteLine("hpc-relay run: --config needs a file name.");
            return ExitUsage;
        }

        if (CommandLineProblem(args) is { } usage)
        {
            Console.Error.WriteLine($"hpc-relay run: {usage} Options are given as --Section:Option=value, e.g. --Relay:Nickname=MyRelay.");
            return ExitUsage;
        }

        IConfigurationRoot configuration;
        IReadOnlyList<string> problems;
        try
        {
            configuration = RelayHost.ReadConfiguration(configFile, args);
            problems = RelayHost.Validate(configuration);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"hpc-relay: cannot read the configuration: {e.Message}");
            return ExitConfig;
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine("hpc-relay: " + problem);
            }

            return ExitConfig;
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        var dataDirectory = RelayHost.RelayOptionsFrom(configuration).DataDirectory;
        try
        {
            RelayKeyStore.ReadIdentity(dataDirectory).Dispose();
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine("hpc-relay: " + IdentityProblem(e, dataDirectory));
            return ExitConfig;
        }

        return await RunHost(configuration).ConfigureAwait(false);
    }

    // Every argument is --Key=value, or --Key followed by its value; anything else is a mistake the configuration
    // reader would silently drop.
    private static string? CommandLineProblem(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2 || arg[2] == '=')
            {
                return $"'{arg}' is not an option.";
            }

            if (!arg.Contains('=', StringComparison.Ordinal) && ++i >= args.Length)
            {
                return $"'{arg}' has no value.";
            }
        }

        return null;
    }

    internal static string IdentityProblem(KeyFileException e, string dataDirectory) => e.Problem switch
    {
        KeyFileProblem.NotFound =>
            $"no identity key at {e.Path}. Run `hpc-relay keygen --data-dir {dataDirectory}` first.",
        KeyFileProblem.Invalid =>
            $"{e.Message} The relay does not start rather than take a new identity: restore identity.key from a backup, " +
            $"or run `hpc-relay keygen --data-dir {dataDirectory} --force` to become a new relay.",
        _ => e.Message,
    };

    private static async Task<int> RunHost(IConfigurationRoot configuration)
    {
        using var host = RelayHost.Build(configuration, TimeProvider.System);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HiddenPoint.Relay");
        using var secondSignal = new SecondSignal(logger);
        try
        {
            await host.StartAsync().ConfigureAwait(false);
            var keys = host.Services.GetRequiredService<RelayKeyStore>();
            var bound = await Task.WhenAny(host.Services.GetRequiredService<RelayListenerState>().Bound, host.WaitForShutdownAsync()).ConfigureAwait(false);
            if (bound is Task<System.Net.IPEndPoint> { IsCompletedSuccessfully: true } endPoint)
            {
                var advertised = RelayHost.RelayOptionsFrom(configuration).Advertised(endPoint.Result.Port);
                var listen = endPoint.Result;
                var id = keys.Id;
                RelayLog.Started(logger, id, listen, advertised);
            }

            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                Console.Error.WriteLine("hpc-relay: " + failure);
            }

            return ExitConfig;
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine("hpc-relay: " + IdentityProblem(e, RelayHost.RelayOptionsFrom(configuration).DataDirectory));
            return ExitConfig;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("hpc-relay: " + e.Message);
            return ExitFailure;
        }

        // A service that failed stopped the host (BackgroundServiceExceptionBehavior.StopHost): the host logged why.
        foreach (var service in host.Services.GetServices<IHostedService>())
        {
            if (service is BackgroundService { ExecuteTask.IsFaulted: true })
            {
                return ExitFailure;
            }
        }

        return ExitOk;
    }

    /// <summary>
    /// The host turns the first SIGTERM/SIGINT into a graceful stop; a second one means the operator will not wait for
    /// circuits to drain, so the process exits at once.
    /// </summary>
    private sealed class SecondSignal : IDisposable
    {
        private readonly ILogger _logger;
        private readonly PosixSignalRegistration _term;
        private readonly PosixSignalRegistration _interrupt;
        private int _count;

        public SecondSignal(ILogger logger)
        {
            _logger = logger;
            _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        }

        public void Dispose()
        {
            _term.Dispose();
            _interrupt.Dispose();
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref _count) < 2)
            {
                return;
            }

            context.Cancel = true;
            RelayLog.ExitingNow(_logger);
            Environment.Exit(context.Signal == PosixSignal.SIGINT ? 130 : 143);
        }
    }
}
