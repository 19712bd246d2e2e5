namespace HiddenPoint.Client.Api.Configuration;

/// <summary>
/// Where the user's data directory is when nothing names it, one rule for every hpc-client command and the daemon
/// (docs/cli.md §2): <c>$HPC_DATA_DIR</c>, else <c>$XDG_DATA_HOME/hiddenpoint</c> (a relative XDG_DATA_HOME is invalid
/// and ignored, as the XDG base directory rules say), else <c>~/.local/share/hiddenpoint</c>.
/// </summary>
public static class ClientDataDirectory
{
    /// <summary>The environment variable naming the data directory.</summary>
    public const string Variable = "HPC_DATA_DIR";

    /// <summary>The folder's name under the XDG data home.</summary>
    public const string FolderName = "hiddenpoint";

    /// <summary>The folder <see cref="Variable"/> names, else <see cref="Default"/>.</summary>
    public static string FromEnvironment()
    {
        var named = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(named) ? Default() : named;
    }

    /// <summary>The default when neither the command line, the environment nor the configuration names one.</summary>
    public static string Default()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, FolderName);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(home, ".local", "share", FolderName);
    }
}
