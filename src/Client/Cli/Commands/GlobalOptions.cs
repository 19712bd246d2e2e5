using System.CommandLine;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>The options every verb takes (declared once on the root command, recursive).</summary>
internal sealed class GlobalOptions
{
    /// <summary><c>--data-dir DIR</c>: the user's data directory.</summary>
    public Option<string?> DataDirectory { get; } = new("--data-dir")
    {
        Description = "The data directory: identity, message store, client.json, cached consensus [default: $HPC_DATA_DIR, " +
            "else $XDG_DATA_HOME/hiddenpoint, else ~/.local/share/hiddenpoint]",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary><c>--config FILE</c>: the configuration file, instead of the data directory's client.json.</summary>
    public Option<string?> ConfigFile { get; } = new("--config")
    {
        Description = "A JSON configuration file to read instead of DIR/client.json; HPC_CLIENT__Section__Option variables and " +
            "--Section:Option=value settings come on top",
        HelpName = "FILE",
        Recursive = true,
    };

    /// <summary>Adds the options to <paramref name="root"/>.</summary>
    public void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(DataDirectory);
        root.Options.Add(ConfigFile);
    }
}
