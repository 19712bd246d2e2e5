using HiddenPoint.Client.Api.Server;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Api.Daemon;

/// <summary>
/// The daemon's configuration: the JSON file (<c>--config FILE</c>, else <c>client.json</c> in the data directory when
/// there is one), then environment variables with the prefix <see cref="EnvironmentPrefix"/>, then those with the
/// other hpc-client commands' prefix <see cref="CommandsEnvironmentPrefix"/>, then the command line's
/// <c>--data-dir</c>; later sources win. Section <c>Client</c> binds <see cref="MessengerOptions"/> and, in the same
/// section, the client core's options; the top-level sections the other commands use (<c>Messaging</c>,
/// <c>Store</c>, <c>Messenger</c>) apply on top, so one <c>client.json</c> serves the daemon and the commands. Section
/// <c>Api</c> binds <see cref="ClientApiOptions"/>, section <c>Logging</c> the log levels.
/// </summary>
public static class DaemonConfiguration
{
    /// <summary>The prefix of the environment variables that configure the daemon (<c>HPC_Client__DataDirectory</c>…).</summary>
    public const string EnvironmentPrefix = "HPC_";

    /// <summary>The prefix the other hpc-client commands read (<c>HPC_CLIENT__Client__Directory__…</c>), read by the daemon too.</summary>
    public const string CommandsEnvironmentPrefix = "HPC_CLIENT__";

    /// <summary>The other commands' top-level sections, applied over the same options nested in <c>Client</c>.</summary>
    public const string MessagingSection = "Messaging";

    /// <inheritdoc cref="MessagingSection"/>
    public const string StoreSection = "Store";

    /// <inheritdoc cref="MessagingSection"/>
    public const string MessengerSection = "Messenger";

    /// <summary>The configuration file read from the data directory when <c>--config</c> is not given.</summary>
    public const string DefaultConfigFileName = "client.json";

    /// <summary>The data directory when nothing names one, as every hpc-client command finds it (<see cref="Configuration.ClientDataDirectory"/>).</summary>
    public static string DefaultDataDirectory() => Configuration.ClientDataDirectory.FromEnvironment();

    /// <summary>Reads the configuration.</summary>
    /// <exception cref="FormatException">The JSON file is malformed.</exception>
    /// <exception cref="IOException">The configuration file cannot be read.</exception>
    /// <param name="configFile">The <c>--config</c> file, if given.</param>
    /// <param name="dataDirectory">The <c>--data-dir</c> folder, if given.</param>
    /// <param name="settings">Command-line settings <c>--Section:Option=value</c>, applied after the environment.</param>
    public static IConfigurationRoot Read(string? configFile, string? dataDirectory, IReadOnlyList<string>? settings = null)
    {
        var overrides = new Dictionary<string, string?>();
        if (dataDirectory is not null)
        {
            overrides[MessengerOptions.Section + ":" + nameof(MessengerOptions.DataDirectory)] = Path.GetFullPath(dataDirectory);
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else
        {
            var early = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).AddEnvironmentVariables(CommandsEnvironmentPrefix)
                .AddInMemoryCollection(overrides).Build();
            var folder = early[MessengerOptions.Section + ":" + nameof(MessengerOptions.DataDirectory)] ?? DefaultDataDirectory();
            var file = Path.GetFullPath(Path.Combine(folder, DefaultConfigFileName));
            if (File.Exists(file))
            {
                builder.AddJsonFile(file, optional: true, reloadOnChange: false);
            }
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix).AddEnvironmentVariables(CommandsEnvironmentPrefix)
            .AddCommandLine([.. settings ?? []]).AddInMemoryCollection(overrides);
        return builder.Build();
    }

    /// <summary>
    /// The messenger's options as <paramref name="configuration"/> sets them, with the default data directory when none
    /// is set. The client core's options are read from the section itself (<c>Client:Directory</c>, not
    /// <c>Client:Core:Directory</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its option's type.</exception>
    public static MessengerOptions MessengerOptionsFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MessengerOptions.Section);
        var options = section.Get<MessengerOptions>() ?? new MessengerOptions();

        // The client core's options sit in the same section, as docs/client.md gives them (Client:Directory,
        // Client:Guards…), rather than under Client:Core.
        section.Bind(options.Core);
        configuration.GetSection(MessagingSection).Bind(options.Messaging);
        configuration.GetSection(StoreSection).Bind(options.Store);
        configuration.GetSection(MessengerSection).Bind(options);
        Complete(options);
        return options;
    }

    /// <summary>Fills in what the configuration may leave out: the data directory, and the core's copy of it.</summary>
    private static void Complete(MessengerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            options.DataDirectory = DefaultDataDirectory();
        }

        // A path with a NUL character cannot be made absolute (Path.GetFullPath would throw ArgumentException, which no
        // caller expects from a configuration file): refuse it the way a value that does not convert is refused.
        if (options.DataDirectory.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{MessengerOptions.Section}:{nameof(MessengerOptions.DataDirectory)}: a path cannot contain a NUL character.");
        }

        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        options.Core.DataDirectory = options.DataDirectory;
    }

    /// <summary>Every problem with the configured options, each naming its option; empty when they are usable.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its option's type.</exception>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var problems = new List<string>();
        var messenger = MessengerOptionsFrom(configuration);
        try
        {
            messenger.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }

        Add(problems, "Client:", new ClientCoreOptionsValidator().Validate(null, messenger.Core));
        var store = new MessageStoreOptions
        {
            DatabasePath = messenger.DatabasePath,
            KdfMemoryKib = messenger.Store.KdfMemoryKib,
            KdfPasses = messenger.Store.KdfPasses,
            Durability = messenger.Store.Durability,
        };
        try
        {
            store.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add("Client:Store: " + e.Message);
        }

        var api = configuration.GetSection(ClientApiOptions.Section).Get<ClientApiOptions>() ?? new ClientApiOptions();
        Add(problems, string.Empty, new ClientApiOptionsValidator().Validate(null, api));
        return problems;
    }

    private static void Add(List<string> problems, string prefix, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            problems.AddRange(result.Failures.Select(f => prefix + f));
        }
    }
}
