using System.Net.Sockets;
using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Client.Api.Server;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Api.Daemon;

/// <summary>
/// <c>hpc-client daemon [--data-dir DIR] [--config FILE]</c>: runs the user's messenger and serves the local API until
/// SIGTERM or SIGINT. The exit codes are constants here and listed in docs/client-api.md.
/// </summary>
public static class DaemonProgram
{
    /// <summary>A clean stop after SIGTERM or SIGINT.</summary>
    public const int ExitOk = 0;

    /// <summary>A failure while starting or running that none of the codes below names (the message says what).</summary>
    public const int ExitFailure = 1;

    /// <summary>The command line is wrong (sysexits EX_USAGE).</summary>
    public const int ExitUsage = 64;

    /// <summary>The message store is damaged, or written by a newer program (EX_DATAERR); the file is left as it was.</summary>
    public const int ExitDataError = 65;

    /// <summary>Another daemon runs on the data directory (EX_TEMPFAIL).</summary>
    public const int ExitInUse = 75;

    /// <summary>
    /// The passphrase is wrong or could not be read, or the store's files have the wrong owner or permissions
    /// (EX_NOPERM).
    /// </summary>
    public const int ExitNoPermission = 77;

    /// <summary>The configuration is unusable, or there is no identity or store and creating them was not asked for (EX_CONFIG).</summary>
    public const int ExitConfig = 78;

    /// <summary>How long the host lets the daemon stop before it gives up.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    internal const string Usage = """
        hpc-client daemon: runs the user's messenger and its local API.

          hpc-client daemon [--data-dir DIR] [--config FILE] [--Section:Option=value]…

        The daemon opens the encrypted message store in DIR (default $HPC_DATA_DIR, else $XDG_DATA_HOME/hiddenpoint,
        else ~/.local/share/hiddenpoint), joins the network, keeps the user's hidden point online and serves the local API
        on DIR/client.sock (docs/client-api.md) until SIGTERM or SIGINT.

        Configuration: FILE (JSON; without --config, DIR/client.json if it exists), then environment variables
        HPC_Section__Option (e.g. HPC_Client__Directory__Authorities__0__Address=192.0.2.1:7000), then
        HPC_CLIENT__Section__Option as the other commands read them, then --Section:Option=value, then --data-dir. Section Client holds the
        messenger's and the client core's options (docs/client-api.md), the top-level sections Messaging, Store and
        Messenger apply over them, section Api holds the local API's limits, Logging:LogLevel the log levels. The passphrase comes from HPC_PASSPHRASE_FILE (an owner-only file),
        else HPC_PASSPHRASE, else a prompt when standard input is a terminal.

        Exit codes: 0 stopped by SIGTERM/SIGINT; 1 failure; 64 usage; 65 damaged store; 75 another daemon runs on DIR;
        77 wrong or missing passphrase, or wrong file owner/permissions; 78 configuration error or no identity/store.
        """;

    /// <summary>Runs the daemon with <paramref name="args"/> (what follows <c>daemon</c>) and returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? dataDirectory = null;
        string? configFile = null;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length:
                    dataDirectory = args[++i];
                    break;
                case "--config" when i + 1 < args.Length:
                    configFile = args[++i];
                    break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return ExitOk;
                case var setting when Configuration.CommandLineSetting.Is(setting):
                    settings.Add(setting);
                    break;
                default:
                    Console.Error.WriteLine($"hpc-client daemon: '{args[i]}' is not an option (or lacks its value).");
                    Console.Error.WriteLine(Usage);
                    return ExitUsage;
            }
        }

        IConfigurationRoot configuration;
        MessengerOptions options;
        try
        {
            configuration = DaemonConfiguration.Read(configFile, dataDirectory, settings);
            var problems = DaemonConfiguration.Validate(configuration);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine("hpc-client daemon: " + problem);
                }

                return ExitConfig;
            }

            options = DaemonConfiguration.MessengerOptionsFrom(configuration);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"hpc-client daemon: cannot read the configuration: {e.Message}");
            return ExitConfig;
        }

        var passphrase = PassphraseSource.FromEnvironment();
        if (passphrase is null)
        {
            if (Console.IsInputRedirected)
            {
                Console.Error.WriteLine($"hpc-client daemon: no passphrase: set {PassphraseSource.FileVariable} to an owner-only file holding it, or {PassphraseSource.EnvironmentVariable}, or run the daemon at a terminal.");
                return ExitNoPermission;
            }

            passphrase = new TerminalPassphraseSource($"Passphrase for {options.DataDirectory}: ");
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        try
        {
            return await RunHostAsync(configuration, passphrase).ConfigureAwait(false);
        }
        catch (StoreOpenException e)
        {
            return Report(StoreProblem(e, options.DataDirectory));
        }
        catch (PassphraseException e)
        {
            return Report((ExitNoPermission, e.Message));
        }
        catch (IdentityFileException e)
        {
            return Report((ExitConfig, $"{e.Message} Set Client:CreateIfMissing=true (HPC_Client__CreateIfMissing=true) to create a new identity and store."));
        }
        catch (OptionsValidationException e)
        {
            return Report((ExitConfig, string.Join(" ", e.Failures)));
        }
        catch (OperationCanceledException)
        {
            // SIGTERM or SIGINT while starting.
            return ExitOk;
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return Report((ExitFailure, e.Message));
        }
    }

    /// <summary>The exit code and message for a store that would not open.</summary>
    internal static (int ExitCode, string Message) StoreProblem(StoreOpenException e, string dataDirectory) => e.Failure switch
    {
        StoreOpenFailure.InUse => (ExitInUse, $"another hpc-client daemon is running on {dataDirectory}{DaemonProcessId(dataDirectory)}. Use its local API ({ApiWire.SocketFileName}), or stop it first."),
        StoreOpenFailure.WrongPassphrase => (ExitNoPermission, $"wrong passphrase for the message store in {dataDirectory} (nothing was changed)."),
        StoreOpenFailure.NotFound => (ExitConfig, $"{e.Message} Set Client:CreateIfMissing=true (HPC_Client__CreateIfMissing=true) to create a new store."),
        StoreOpenFailure.Corrupt => (ExitDataError, e.Message + (e.Damage is { } damage
            ? $" Readable: {Count(damage.Contacts)} contacts, {Count(damage.Messages)} messages, {Count(damage.Conversations)} conversations of {damage.FileBytes} bytes. The file was left untouched: keep a copy, then restore a backup or recover with the sqlite3 shell's .recover."
            : " The file was left untouched.")),
        StoreOpenFailure.NewerSchema => (ExitDataError, e.Message),
        StoreOpenFailure.WrongOwner or StoreOpenFailure.PermissionsTooOpen or StoreOpenFailure.NotARegularFile or StoreOpenFailure.Inaccessible => (ExitNoPermission, e.Message),
        _ => (ExitFailure, e.Message),
    };

    private static string Count(long? rows) => rows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no";

    private static int Report((int ExitCode, string Message) problem)
    {
        Console.Error.WriteLine("hpc-client daemon: " + problem.Message);
        return problem.ExitCode;
    }

    // The running daemon holds the socket: the kernel names the process at the other end of a connection to it.
    private static string DaemonProcessId(string dataDirectory)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(Path.Combine(dataDirectory, ApiWire.SocketFileName)));
            return UnixSockets.TryGetPeer(socket, out var pid, out _) && pid > 0 ? $" (pid {pid})" : string.Empty;
        }
        catch (SocketException)
        {
            // Still starting (the socket comes after the network): no pid to give.
            return string.Empty;
        }
    }

    private static async Task<int> RunHostAsync(IConfiguration configuration, PassphraseSource passphrase)
    {
        using var host = Build(configuration, passphrase, TimeProvider.System);
        await host.StartAsync().ConfigureAwait(false);
        await host.WaitForShutdownAsync().ConfigureAwait(false);
        return ExitOk;
    }

    /// <summary>Builds the daemon's host: console logging on standard error, systemd integration, validated options, the daemon service.</summary>
    internal static IHost Build(IConfiguration configuration, PassphraseSource passphrase, TimeProvider timeProvider)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "hpc-client",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        // Under systemd: sd_notify READY/STOPPING and journal-friendly log lines.
        builder.Services.AddSystemd();
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);

        var services = builder.Services;
        services.AddSingleton(timeProvider);
        services.AddSingleton(passphrase);
        services.AddMetrics();
        services.AddSingleton(Options.Create(DaemonConfiguration.MessengerOptionsFrom(configuration)));
        services.AddOptions<ClientApiOptions>().Bind(configuration.GetSection(ClientApiOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientApiOptions>, ClientApiOptionsValidator>();
        services.AddHostedService<DaemonService>();
        return builder.Build();
    }
}
