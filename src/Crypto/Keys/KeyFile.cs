using System.Security.Cryptography;
using HiddenPoint.Crypto.Storage;

namespace HiddenPoint.Crypto.Keys;

/// <summary>A key file that cannot be used; the message names the file and the problem.</summary>
public sealed class KeyFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public KeyFileException(string path, KeyFileProblem problem, string detail)
        : base($"Key file '{path}': {detail}.")
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>Creates the exception with the I/O error that caused it.</summary>
    public KeyFileException(string path, KeyFileProblem problem, string detail, Exception inner)
        : base($"Key file '{path}': {detail}.", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public KeyFileProblem Problem { get; }

    /// <summary>The format error, when <see cref="Problem"/> is <see cref="KeyFileProblem.Invalid"/>.</summary>
    public KeyFileError? FormatError { get; init; }
}

/// <summary>Why a key file could not be used.</summary>
public enum KeyFileProblem
{
    /// <summary>No such file.</summary>
    NotFound = 1,

    /// <summary>Other users may read or change it: a secret key must be readable by its owner alone.</summary>
    PermissionsTooOpen,

    /// <summary>Its contents are refused; see <see cref="KeyFileException.FormatError"/>.</summary>
    Invalid,

    /// <summary>Writing would replace an existing key.</summary>
    AlreadyExists,

    /// <summary>The file system refused to read or write it.</summary>
    Inaccessible,

    /// <summary>The path is a symbolic link: a key is read only from the file itself, never through a link.</summary>
    SymbolicLink,

    /// <summary>The path is not a regular file (a named pipe, a socket, a device, a directory).</summary>
    NotARegularFile,

    /// <summary>The file belongs to another user than the one the program runs as.</summary>
    WrongOwner,

    /// <summary>Its folder can be changed by other users (group- or world-writable, or another user's), who could replace the key.</summary>
    FolderTooOpen,

    /// <summary>The path named another file when it was opened than when it was checked: something is changing the folder.</summary>
    Replaced,
}

/// <summary>
/// Reads and writes key files (<see cref="KeyFileFormat"/>). Writes are atomic (a temporary file in the same folder,
/// flushed to disk, then renamed over the target) and owner-only. Reads, on Unix, take a key only from a regular file
/// that the program's own user owns and no one else can read or write, in a folder no one else can change, like ssh
/// does; the file is checked before it is opened, without following a link, and again through the open handle.
/// Key text lives only in byte buffers that are wiped after use: never in a .NET string, never in a stream's buffer.
/// </summary>
/// <remarks>
/// <para>The file's type and owner come from statx(2) (<see cref="UnixFiles"/>), on Linux. The path is checked with
/// the link itself (<c>AT_SYMLINK_NOFOLLOW</c>) before it is opened, so a symbolic link, a named pipe (which would block
/// the open until a writer comes), a socket or a device is refused without being opened; the open handle is then
/// checked to be that same file (device and inode). What remains is a race: a file swapped in between the check and the
/// open is opened (and a named pipe swapped in would block the open) before the handle check refuses it. Only someone
/// who can change the folder can swap it, and a folder others can change is refused.</para>
/// <para>Elsewhere on Unix (where statx is missing), a link is still refused (.NET's <see cref="FileSystemInfo.LinkTarget"/>
/// reads the link itself) and the file's and the folder's permission bits are checked, but not the type and owner.
/// On Windows, files are protected by ACLs, which these checks do not read.</para>
/// </remarks>
public static class KeyFile
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>Loads a key of <typeparamref name="TKey"/>'s role.</summary>
    /// <exception cref="KeyFileException">The file is missing, a link or not a regular file, another user's, too open,
    /// in a folder others can change, unreadable or invalid.</exception>
    public static TKey Read<TKey>(string path)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Span<byte> bytes = stackalloc byte[KeyFileFormat.MaxLength + 1];
        try
        {
            var length = ReadChecked(path, bytes);
            if (!KeyFileFormat.TryDecode<TKey>(bytes[..length], out var key, out var error, out var detail))
            {
                throw new KeyFileException(path, KeyFileProblem.Invalid, detail) { FormatError = error };
            }

            return key!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Writes <paramref name="key"/> to <paramref name="path"/> atomically with owner-only permissions, creating the
    /// folder (owner-only) if needed. On Unix a folder that others can change is refused first.
    /// </summary>
    /// <param name="key">The key to store.</param>
    /// <param name="path">The key file.</param>
    /// <param name="replace">Replace an existing file (key rotation); otherwise an existing file is an error, so that
    /// an identity is never lost by accident.</param>
    /// <exception cref="KeyFileException">The file exists and <paramref name="replace"/> is false, the folder is too
    /// open, or the write failed.</exception>
    public static void Write(SecretKey key, string path, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!replace && File.Exists(full))
        {
            throw new KeyFileException(path, KeyFileProblem.AlreadyExists, "a key is already there; it is not replaced (move it away first if you mean to)");
        }

        Span<byte> contents = stackalloc byte[KeyFileFormat.MaxLength];
        try
        {
            var folder = Path.GetDirectoryName(full)!;
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder, OwnerOnlyFolder);
                CheckFolder(path, folder);
            }

            var length = KeyFileFormat.Encode(key, contents);
            AtomicFile.Write(full, contents[..length], replace, ownerOnly: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not KeyFileException)
        {
            if (!replace && File.Exists(full))
            {
                throw new KeyFileException(path, KeyFileProblem.AlreadyExists, "a key appeared there while writing; it is not replaced", e);
            }

            throw new KeyFileException(path, KeyFileProblem.Inaccessible, "could not write it: " + e.Message, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    // Checks the folder and the file, opens it, checks the handle, and reads at most buffer.Length bytes into buffer
    // straight from the handle (no stream, so no buffer of the stream's own keeps a copy).
    private static int ReadChecked(string path, Span<byte> buffer)
    {
        var full = Path.GetFullPath(path);
        var checkedStatus = default(UnixFileStatus?);
        if (!OperatingSystem.IsWindows())
        {
            if (UnixFiles.IsSupported)
            {
                checkedStatus = CheckPath(path, full);
            }
            else if (new FileInfo(full).LinkTarget is { } target)
            {
                throw SymbolicLink(path, target);
            }

            CheckFolder(path, Path.GetDirectoryName(full)!);
        }

        try
        {
            using var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (checkedStatus is { } before)
            {
                if (!UnixFiles.TryStat(handle, out var opened, out var errno))
                {
                    throw new KeyFileException(path, KeyFileProblem.Inaccessible, $"could not read its status (errno {errno})");
                }

                if (!opened.IsSameFile(before))
                {
                    throw new KeyFileException(path, KeyFileProblem.Replaced, $"another file took its place while it was being opened; check who else can change '{Path.GetDirectoryName(full)}'");
                }

                CheckFile(path, opened);
            }
            else if (!OperatingSystem.IsWindows())
            {
                CheckPermissions(path, File.GetUnixFileMode(handle));
            }

            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer[total..], total)) > 0)
            {
                total += read;
            }

            return total;
        }
        catch (FileNotFoundException e)
        {
            throw new KeyFileException(path, KeyFileProblem.NotFound, "no such file (create one with the program's keygen command)", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new KeyFileException(path, KeyFileProblem.NotFound, "its folder does not exist", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException(path, KeyFileProblem.Inaccessible, "not allowed to read it", e);
        }
        catch (IOException e) when (e is not KeyFileException)
        {
            throw new KeyFileException(path, KeyFileProblem.Inaccessible, "could not read it: " + e.Message, e);
        }
    }

    // The path itself, links not followed: what is there before anything opens it.
    private static UnixFileStatus CheckPath(string path, string full)
    {
        if (!UnixFiles.TryStat(full, followLinks: false, out var status, out var errno))
        {
            throw errno switch
            {
                ENOENT => new KeyFileException(path, KeyFileProblem.NotFound, Directory.Exists(Path.GetDirectoryName(full))
                    ? "no such file (create one with the program's keygen command)"
                    : "its folder does not exist"),
                ENOTDIR => new KeyFileException(path, KeyFileProblem.NotFound, "its folder does not exist"),
                _ => new KeyFileException(path, KeyFileProblem.Inaccessible, $"could not read its status (errno {errno})"),
            };
        }

        if (status.Type == UnixFileType.SymbolicLink)
        {
            throw SymbolicLink(path, new FileInfo(full).LinkTarget ?? "?");
        }

        CheckFile(path, status);
        return status;
    }

    private static void CheckFile(string path, UnixFileStatus status)
    {
        if (status.Type != UnixFileType.Regular)
        {
            throw new KeyFileException(path, KeyFileProblem.NotARegularFile, $"it is {status.TypeName}, not a regular file; put the key file itself there");
        }

        var user = UnixFiles.EffectiveUserId;
        if (status.Owner != user)
        {
            throw new KeyFileException(path, KeyFileProblem.WrongOwner, $"it belongs to user {status.Owner}, not to user {user} that this program runs as; run: chown {user} '{path}'");
        }

        CheckPermissions(path, status.Permissions);
    }

    private static void CheckPermissions(string path, UnixFileMode mode)
    {
        if ((mode & GroupOrOther) != 0)
        {
            throw new KeyFileException(path, KeyFileProblem.PermissionsTooOpen, $"permissions {Octal(mode)} let other users read or change it; run: chmod 600 '{path}'");
        }
    }

    // The folder decides who can put another file in the key's place: its owner (or root), and nobody else.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CheckFolder(string path, string folder)
    {
        UnixFileMode mode;
        if (UnixFiles.IsSupported)
        {
            if (!UnixFiles.TryStat(folder, followLinks: true, out var status, out var errno))
            {
                throw errno is ENOENT or ENOTDIR
                    ? new KeyFileException(path, KeyFileProblem.NotFound, "its folder does not exist")
                    : new KeyFileException(path, KeyFileProblem.Inaccessible, $"could not read its folder's status (errno {errno})");
            }

            var user = UnixFiles.EffectiveUserId;
            if (status.Owner != user && status.Owner != 0)
            {
                throw new KeyFileException(path, KeyFileProblem.FolderTooOpen, $"its folder '{folder}' belongs to user {status.Owner}, who could replace the key; run: chown {user} '{folder}'");
            }

            mode = status.Permissions;
        }
        else
        {
            try
            {
                mode = File.GetUnixFileMode(folder);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new KeyFileException(path, KeyFileProblem.NotFound, "its folder does not exist", e);
            }
        }

        if ((mode & GroupOrOtherWrite) != 0)
        {
            throw new KeyFileException(path, KeyFileProblem.FolderTooOpen, $"its folder '{folder}' can be changed by other users (permissions {Octal(mode)}), who could replace the key; run: chmod 700 '{folder}'");
        }
    }

    private static KeyFileException SymbolicLink(string path, string target) =>
        new(path, KeyFileProblem.SymbolicLink, $"it is a symbolic link (to '{target}'); a key is read only from the file itself: put the file there instead of the link");

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xfff, 8);
}
