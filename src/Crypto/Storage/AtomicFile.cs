namespace HiddenPoint.Crypto.Storage;

/// <summary>
/// Writes files so that a crash leaves either the old contents or the new, never a mix: the bytes go to a temporary
/// file in the same folder, are flushed to disk, and the temporary file is then renamed over the target. Key files,
/// an authority's consensus and descriptors, and every program's state are written this way.
/// </summary>
public static class AtomicFile
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnlyFile | UnixFileMode.UserExecute;

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically, creating its folder if needed.</summary>
    /// <param name="path">The file.</param>
    /// <param name="contents">Its new contents.</param>
    /// <param name="replace">Replace an existing file; when false, an existing file makes the write fail.</param>
    /// <param name="ownerOnly">Create the file (and a missing folder) readable by its owner alone: for secrets.</param>
    /// <exception cref="IOException">The write failed, or the file exists and <paramref name="replace"/> is false.</exception>
    /// <exception cref="UnauthorizedAccessException">The file system refused.</exception>
    public static void Write(string path, ReadOnlySpan<byte> contents, bool replace = true, bool ownerOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        }
        else
        {
            Directory.CreateDirectory(folder);
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        // Unbuffered: the bytes go from the caller's buffer to the file, and no buffer of the stream's own keeps a copy
        // (a key file's contents are secret; the caller wipes its own buffer).
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: replace);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
