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
}

/// <summary>
/// Reads and writes key files (<see cref="KeyFileFormat"/>). Writes are atomic (a temporary file in the same folder,
/// flushed to disk, then renamed over the target) and owner-only; reads refuse a file that anyone but its owner can
/// read or write, like ssh does.
/// </summary>
public static class KeyFile
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Loads a key of <typeparamref name="TKey"/>'s role.</summary>
    /// <exception cref="KeyFileException">The file is missing, too open, unreadable or invalid.</exception>
    public static TKey Read<TKey>(string path)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = new byte[KeyFileFormat.MaxLength + 1];
        int length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(stream.SafeFileHandle);
                if ((mode & GroupOrOther) != 0)
                {
                    throw new KeyFileException(
                        path,
                        KeyFileProblem.PermissionsTooOpen,
                        $"permissions {Octal(mode)} let other users read or change it; run: chmod 600 '{path}'");
                }
            }

            length = ReadUpTo(stream, bytes);
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

        try
        {
            if (!KeyFileFormat.TryDecode<TKey>(bytes.AsSpan(0, length), out var key, out var error, out var detail))
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
    /// folder (owner-only) if needed.
    /// </summary>
    /// <param name="key">The key to store.</param>
    /// <param name="path">The key file.</param>
    /// <param name="replace">Replace an existing file (key rotation); otherwise an existing file is an error, so that
    /// an identity is never lost by accident.</param>
    /// <exception cref="KeyFileException">The file exists and <paramref name="replace"/> is false, or the write failed.</exception>
    public static void Write(SecretKey key, string path, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!replace && File.Exists(full))
        {
            throw new KeyFileException(path, KeyFileProblem.AlreadyExists, "a key is already there; it is not replaced (move it away first if you mean to)");
        }

        var contents = KeyFileFormat.Encode(key);
        try
        {
            AtomicFile.Write(full, contents, replace, ownerOnly: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
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

    private static int ReadUpTo(FileStream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1ff, 8);
}
