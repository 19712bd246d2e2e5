using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HiddenPoint.Crypto.Storage;

/// <summary>What kind of file a path names: the <c>S_IFMT</c> bits of its mode.</summary>
internal enum UnixFileType
{
    /// <summary>A type this code does not name.</summary>
    Unknown = 0,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (seen only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A named pipe: opening it for reading blocks until a writer comes.</summary>
    Fifo,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,
}

/// <summary>A file's type, owner, permission bits and identity (device and inode), as statx(2) reports them.</summary>
/// <param name="Type">The kind of file.</param>
/// <param name="Owner">The owner's user id.</param>
/// <param name="Permissions">The permission bits (with setuid, setgid and sticky).</param>
/// <param name="DeviceMajor">The major number of the device holding the file.</param>
/// <param name="DeviceMinor">The minor number of the device holding the file.</param>
/// <param name="Inode">The inode number.</param>
internal readonly record struct UnixFileStatus(UnixFileType Type, uint Owner, UnixFileMode Permissions, uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    /// <summary>True when both describe the same file (same device and inode), e.g. a path before and after opening it.</summary>
    public bool IsSameFile(UnixFileStatus other) =>
        DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor && Inode == other.Inode;

    /// <summary>The type as a word for messages.</summary>
    public string TypeName => Type switch
    {
        UnixFileType.Regular => "a regular file",
        UnixFileType.Directory => "a directory",
        UnixFileType.SymbolicLink => "a symbolic link",
        UnixFileType.Fifo => "a named pipe (FIFO)",
        UnixFileType.Socket => "a socket",
        UnixFileType.CharacterDevice => "a character device",
        UnixFileType.BlockDevice => "a block device",
        _ => "a special file",
    };
}

/// <summary>
/// What .NET does not expose about files: their type and owner (statx(2)) and the process's effective user id
/// (geteuid(2)), through libc. Linux only: <see cref="IsSupported"/> is false elsewhere, and where libc lacks statx
/// (glibc before 2.28) or the kernel does (before 4.11).
/// </summary>
/// <remarks>
/// statx rather than stat: <c>struct statx</c> has one layout on every Linux architecture (include/uapi/linux/stat.h),
/// where <c>struct stat</c> differs per architecture and per libc. Only the fields below are read from it.
/// </remarks>
internal static unsafe partial class UnixFiles
{
    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const uint StatxIno = 0x100;
    private const uint Wanted = StatxType | StatxMode | StatxUid | StatxIno;
    private const int StatxSize = 256;
    private const int ENOSYS = 38;

    /// <summary>True when <see cref="TryStat(string, bool, out UnixFileStatus, out int)"/> and the rest work here.</summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>The process's effective user id.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>The status of <paramref name="path"/>, or of the link itself when <paramref name="followLinks"/> is false.</summary>
    /// <returns>False with the errno (ENOENT, EACCES, …) when the call failed.</returns>
    public static bool TryStat(string path, bool followLinks, out UnixFileStatus status, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return TryStat(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, out status, out errno);
    }

    /// <summary>The status of the file <paramref name="handle"/> has open (fstat).</summary>
    public static bool TryStat(SafeFileHandle handle, out UnixFileStatus status, out int errno)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return TryStat((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, out status, out errno);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static bool TryStat(int directory, string path, int flags, out UnixFileStatus status, out int errno)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(directory, path, flags, Wanted, buffer) != 0)
        {
            status = default;
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        errno = 0;
        var mode = *(ushort*)(buffer + 28);
        status = new UnixFileStatus(
            TypeOf(mode),
            *(uint*)(buffer + 20),
            (UnixFileMode)(mode & 0xFFF),
            *(uint*)(buffer + 136),
            *(uint*)(buffer + 140),
            *(ulong*)(buffer + 32));
        return true;
    }

    private static UnixFileType TypeOf(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => UnixFileType.Regular,
        0x4000 => UnixFileType.Directory,
        0xA000 => UnixFileType.SymbolicLink,
        0x1000 => UnixFileType.Fifo,
        0xC000 => UnixFileType.Socket,
        0x2000 => UnixFileType.CharacterDevice,
        0x6000 => UnixFileType.BlockDevice,
        _ => UnixFileType.Unknown,
    };

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return TryStat(AtFdCwd, "/", 0, out _, out var errno) || errno != ENOSYS;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);

    [LibraryImport(Libc)]
    private static partial uint geteuid();
}
