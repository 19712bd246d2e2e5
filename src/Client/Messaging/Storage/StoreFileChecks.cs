using HiddenPoint.Crypto.Storage;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The checks on the database's folder and file before anything opens them: the folder belongs to the user (or root)
/// and nobody else can change it; the file is a regular file (not a link) of the user, readable by the user alone.
/// </summary>
internal static class StoreFileChecks
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Checks the folder; false when it does not exist.</summary>
    public static bool CheckFolder(string path, string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return System.IO.Directory.Exists(folder);
        }

        UnixFileMode mode;
        if (UnixFiles.IsSupported)
        {
            if (!UnixFiles.TryStat(folder, followLinks: true, out var status, out var errno))
            {
                return errno is ENOENT or ENOTDIR
                    ? false
                    : throw new StoreOpenException(path, StoreOpenFailure.Inaccessible, $"could not read its folder's status (errno {errno})");
            }

            var user = UnixFiles.EffectiveUserId;
            if (status.Owner != user && status.Owner != 0)
            {
                throw new StoreOpenException(path, StoreOpenFailure.WrongOwner, $"its folder '{folder}' belongs to user {status.Owner}, who could replace the database; run: chown {user} '{folder}'");
            }

            mode = status.Permissions;
        }
        else
        {
            if (!System.IO.Directory.Exists(folder))
            {
                return false;
            }

            mode = File.GetUnixFileMode(folder);
        }

        if ((mode & GroupOrOtherWrite) != 0)
        {
            throw new StoreOpenException(path, StoreOpenFailure.PermissionsTooOpen, $"its folder '{folder}' can be changed by other users (permissions {Octal(mode)}); run: chmod 700 '{folder}'");
        }

        return true;
    }

    /// <summary>Checks the file; false when it does not exist.</summary>
    public static bool CheckFile(string path, string full)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.Exists(full);
        }

        if (!UnixFiles.IsSupported)
        {
            if (!File.Exists(full))
            {
                return false;
            }

            if (new FileInfo(full).LinkTarget is not null)
            {
                throw new StoreOpenException(path, StoreOpenFailure.NotARegularFile, "it is a symbolic link; put the database file itself there");
            }

            CheckPermissions(path, File.GetUnixFileMode(full));
            return true;
        }

        if (!UnixFiles.TryStat(full, followLinks: false, out var status, out var errno))
        {
            return errno is ENOENT or ENOTDIR
                ? false
                : throw new StoreOpenException(path, StoreOpenFailure.Inaccessible, $"could not read its status (errno {errno})");
        }

        if (status.Type != UnixFileType.Regular)
        {
            throw new StoreOpenException(path, StoreOpenFailure.NotARegularFile, $"it is {status.TypeName}, not a regular file; put the database file itself there");
        }

        var user = UnixFiles.EffectiveUserId;
        if (status.Owner != user)
        {
            throw new StoreOpenException(path, StoreOpenFailure.WrongOwner, $"it belongs to user {status.Owner}, not to user {user} that this program runs as; run: chown {user} '{path}'");
        }

        CheckPermissions(path, status.Permissions);
        return true;
    }

    private static void CheckPermissions(string path, UnixFileMode mode)
    {
        if ((mode & GroupOrOther) != 0)
        {
            throw new StoreOpenException(path, StoreOpenFailure.PermissionsTooOpen, $"permissions {Octal(mode)} let other users read or change it; run: chmod 600 '{path}'");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}
