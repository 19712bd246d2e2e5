using System.Security.Cryptography;
using HiddenPoint.Crypto.Storage;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The passphrase from a file: its contents, without one trailing line break (<c>\n</c> or <c>\r\n</c>). The file
/// must be a regular file of the user the program runs as, readable by that user alone (chmod 600).
/// </summary>
public sealed class FilePassphraseSource : PassphraseSource
{
    /// <summary>The largest passphrase file read.</summary>
    public const int MaxLength = 4096;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _path;

    /// <summary>Reads the passphrase from <paramref name="path"/>.</summary>
    public FilePassphraseSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    /// <inheritdoc/>
    public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxLength + 1, pinned: true);
        try
        {
            int length;
            try
            {
                using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read);
                CheckPrivate(handle);
                length = 0;
                int read;
                while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
                {
                    length += read;
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new PassphraseException(PassphraseProblem.NotSet, $"The passphrase file '{_path}' does not exist.", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PassphraseException(PassphraseProblem.Unreadable, $"The passphrase file '{_path}' could not be read: {e.Message}", e);
            }

            if (length > MaxLength)
            {
                throw new PassphraseException(PassphraseProblem.TooLong, $"The passphrase file '{_path}' is longer than {MaxLength} bytes.");
            }

            var text = buffer.AsSpan(0, length);
            if (text.EndsWith("\n"u8))
            {
                text = text[..^1];
                if (text.EndsWith("\r"u8))
                {
                    text = text[..^1];
                }
            }

            if (text.IsEmpty)
            {
                throw new PassphraseException(PassphraseProblem.Empty, $"The passphrase file '{_path}' is empty.");
            }

            return ValueTask.FromResult(Passphrase.FromUtf8(text));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    // Checked on the open handle, so the file read is the file checked.
    private void CheckPrivate(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (UnixFiles.IsSupported && UnixFiles.TryStat(handle, out var status, out _))
        {
            if (status.Type != UnixFileType.Regular)
            {
                throw new PassphraseException(PassphraseProblem.FileNotPrivate, $"The passphrase file '{_path}' is {status.TypeName}, not a regular file.");
            }

            if (status.Owner != UnixFiles.EffectiveUserId)
            {
                throw new PassphraseException(PassphraseProblem.FileNotPrivate, $"The passphrase file '{_path}' belongs to user {status.Owner}, not to user {UnixFiles.EffectiveUserId} that this program runs as.");
            }
        }

        if ((File.GetUnixFileMode(handle) & GroupOrOther) != 0)
        {
            throw new PassphraseException(PassphraseProblem.FileNotPrivate, $"Other users may read or change the passphrase file '{_path}'; run: chmod 600 '{_path}'.");
        }
    }
}
