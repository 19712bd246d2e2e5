namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The lock file beside the database (<c>messages.db.lock</c>): held open with an exclusive advisory lock (flock,
/// which .NET takes for <see cref="FileShare.None"/> on Unix) for as long as a store has the database open, so a second
/// store, in this process or another, is refused with a clear message. The kernel drops the lock when the holder dies,
/// even by kill -9, so a stale lock file is never a problem. SQLite's exclusive locking mode is a second guard.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or returns null when another holder has it.</summary>
    public static StoreLock? TryAcquire(string lockPath)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new StoreLock(new FileStream(lockPath, options));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
