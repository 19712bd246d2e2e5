using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Configuration;

/// <summary>
/// The user's data directory and the files hpc-client keeps in it. Chosen by <c>--data-dir</c>, else
/// <c>$HPC_DATA_DIR</c>, else <c>Client:DataDirectory</c> from the configuration, else
/// <c>$XDG_DATA_HOME/hiddenpoint</c>, else <c>~/.local/share/hiddenpoint</c> (the XDG base directory default).
/// </summary>
internal sealed class DataDirectory
{
    /// <summary>The environment variable naming the data directory.</summary>
    public const string Variable = HiddenPoint.Client.Api.Configuration.ClientDataDirectory.Variable;

    /// <summary>The folder's name under the XDG data home.</summary>
    public const string FolderName = HiddenPoint.Client.Api.Configuration.ClientDataDirectory.FolderName;

    /// <summary>The configuration file hpc-client reads from the data directory when <c>--config</c> is not given.</summary>
    public const string ConfigFileName = "client.json";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public DataDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The folder, absolute.</summary>
    public string Path { get; }

    /// <summary>The hidden-point identity key.</summary>
    public string IdentityFile => File(HiddenPointIdentityStore.DefaultFileName);

    /// <summary>The encrypted message store.</summary>
    public string StoreFile => File(MessageStoreOptions.DefaultFileName);

    /// <summary>The configuration <c>init</c> writes (the authorities).</summary>
    public string ConfigFile => File(ConfigFileName);

    /// <summary>The default when neither the command line, the environment nor the configuration names one.</summary>
    public static string Default() => HiddenPoint.Client.Api.Configuration.ClientDataDirectory.Default();

    /// <summary>A file in the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates the folder (and missing parents) readable, writable and searchable by its owner only.</summary>
    public void CreateOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Path);
            return;
        }

        // Parents that are missing get the same mode: ~/.local/share on a fresh account is the user's own.
        System.IO.Directory.CreateDirectory(Path, OwnerOnly);
    }
}
