namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>How the program creates a file that holds the user's secrets: new (never over another), owner-only on Unix.</summary>
internal static class OwnerOnlyFile
{
    public static FileStreamOptions CreateNew()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
