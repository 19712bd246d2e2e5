using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Messaging.Storage;
using Microsoft.Extensions.Configuration;

namespace HiddenPoint.Client.Cli.Configuration;

/// <summary>
/// hpc-client's configuration, layered as hpc-relay's: a JSON file (<c>--config FILE</c>; without it,
/// <c>client.json</c> in the data directory if there is one), then environment variables <c>HPC_CLIENT__Section__Option</c>,
/// then command-line settings <c>--Section:Option=value</c>; later sources win. Sections: <c>Client</c>
/// (<see cref="ClientCoreOptions"/>: the authorities, timers, paths; docs/client.md), <c>Store</c> (the message store's
/// key derivation and durability, <see cref="MessageStoreOptions"/>), <c>Logging</c>.
/// </summary>
internal sealed class ClientConfiguration
{
    /// <summary>The prefix of environment variables that configure hpc-client.</summary>
    public const string EnvironmentPrefix = "HPC_CLIENT__";

    /// <summary>The section of the message store's options.</summary>
    public const string StoreSection = "Store";

    private ClientConfiguration(DataDirectory data, string? file, IConfigurationRoot root)
    {
        Data = data;
        File = file;
        Root = root;
    }

    /// <summary>The data directory in force.</summary>
    public DataDirectory Data { get; }

    /// <summary>The configuration file that was read, if any.</summary>
    public string? File { get; }

    /// <summary>Every setting, layered.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>Reads the configuration.</summary>
    /// <param name="dataDirectory">The <c>--data-dir</c> option, if given.</param>
    /// <param name="configFile">The <c>--config</c> option, if given: it must exist.</param>
    /// <param name="settings">The command line's <c>--Section:Option=value</c> settings.</param>
    /// <exception cref="CliException">A file cannot be read or is not JSON (<see cref="CliError.Configuration"/>).</exception>
    public static ClientConfiguration Read(string? dataDirectory, string? configFile, IReadOnlyList<string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = settings.ToArray();
        try
        {
            var explicitFile = configFile is null ? null : Path.GetFullPath(configFile);
            if (explicitFile is not null && !System.IO.File.Exists(explicitFile))
            {
                throw new CliException(CliError.Configuration, $"the configuration file {explicitFile} (--config) does not exist.");
            }

            var early = new ConfigurationBuilder();
            if (explicitFile is not null)
            {
                early.AddJsonFile(explicitFile, optional: false, reloadOnChange: false);
            }

            var configured = early.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(arguments).Build();
            var folder = dataDirectory
                ?? NonEmpty(Environment.GetEnvironmentVariable(DataDirectory.Variable))
                ?? NonEmpty(configured[ClientCoreOptions.Section + ":" + nameof(ClientCoreOptions.DataDirectory)])
                ?? DataDirectory.Default();
            var data = new DataDirectory(folder);

            var builder = new ConfigurationBuilder();
            var file = explicitFile ?? (System.IO.File.Exists(data.ConfigFile) ? data.ConfigFile : null);
            if (file is not null)
            {
                builder.AddJsonFile(file, optional: false, reloadOnChange: false);
            }

            builder.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(arguments);

            // Every part of the program uses the one data directory chosen above.
            builder.AddInMemoryCollection([new(ClientCoreOptions.Section + ":" + nameof(ClientCoreOptions.DataDirectory), data.Path)]);
            return new ClientConfiguration(data, file, builder.Build());
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(CliError.Configuration, $"cannot read the configuration: {e.Message}", e);
        }
    }

    /// <summary>The client core's options (section <c>Client</c>), not yet validated.</summary>
    /// <exception cref="CliException">A value cannot be converted to its option's type.</exception>
    public ClientCoreOptions CoreOptions() => Bind<ClientCoreOptions>(ClientCoreOptions.Section);

    /// <summary>The message store's options (section <c>Store</c>) for the store in the data directory.</summary>
    /// <exception cref="CliException">A value cannot be converted, or is out of range.</exception>
    public MessageStoreOptions StoreOptions(bool create)
    {
        var options = Bind<MessageStoreOptions>(StoreSection);
        options.DatabasePath = Data.StoreFile;
        options.CreateIfMissing = create;
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliError.Configuration, $"the configuration cannot be used: {e.Message} (section {StoreSection}).", e);
        }

        return options;
    }

    /// <summary>The options of <paramref name="section"/>, not yet validated (defaults when the section is absent).</summary>
    /// <exception cref="CliException">A value cannot be converted to its option's type.</exception>
    public T Bind<T>(string section)
        where T : class, new()
    {
        try
        {
            return Root.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            var source = File is null ? "" : $" ({File} or the environment)";
            throw new CliException(CliError.Configuration, $"the configuration cannot be used{source}: {e.Message}", e);
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
