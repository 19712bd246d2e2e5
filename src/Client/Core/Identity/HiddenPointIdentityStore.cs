using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Identity;

/// <summary>
/// The user's hidden-point identity (KS_hs_id, an Ed25519 key): created once, stored with src/Crypto's key-file rules
/// (<see cref="KeyFile"/>: owner-only, written atomically, never through a link), and loaded from then on. A file that
/// is there but refused (wrong role, corrupt, too open, another user's) is an error and is never replaced: losing the
/// identity would lose the user's hidden-id.
/// </summary>
public static class HiddenPointIdentityStore
{
    /// <summary>The identity file's name in the user's data directory.</summary>
    public const string DefaultFileName = "identity.key";

    /// <summary>
    /// Creates a new identity and stores it at <paramref name="path"/>; never replaces a file that is there (a new key
    /// would be a new hidden-id): <see cref="IdentityFileException"/> with <see cref="KeyFileProblem.AlreadyExists"/>.
    /// </summary>
    /// <param name="path">The identity file.</param>
    /// <param name="logger">Where the creation is logged (5501), if anywhere.</param>
    /// <exception cref="IdentityFileException">A file is there already, or the key could not be written.</exception>
    public static HiddenPointIdentityKey Create(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var key = HiddenPointIdentityKey.Generate();
        try
        {
            KeyFile.Write(key, path, replace: false);
        }
        catch (KeyFileException ex)
        {
            key.Dispose();
            throw new IdentityFileException(path, ex.Problem, ex);
        }

        if (logger is not null)
        {
            HiddenPointClientLog.IdentityCreated(logger);
        }

        return key;
    }

    /// <summary>Loads the identity at <paramref name="path"/>, creating and storing a new one when no file is there.</summary>
    /// <param name="path">The identity file.</param>
    /// <param name="logger">Where the creation of a new identity is logged (5501), if anywhere.</param>
    /// <returns>The key and whether it was created now.</returns>
    /// <exception cref="IdentityFileException">The file is there but refused, or could not be written.</exception>
    public static (HiddenPointIdentityKey Key, bool Created) LoadOrCreate(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (TryLoad(path, out var existing))
        {
            return (existing, false);
        }

        var key = HiddenPointIdentityKey.Generate();
        try
        {
            // replace: false, so a file that appeared meanwhile (another process creating it) is kept, and read below.
            KeyFile.Write(key, path, replace: false);
            if (logger is not null)
            {
                HiddenPointClientLog.IdentityCreated(logger);
            }

            return (key, true);
        }
        catch (KeyFileException ex) when (ex.Problem == KeyFileProblem.AlreadyExists)
        {
            key.Dispose();
            return (Load(path), false);
        }
        catch (KeyFileException ex)
        {
            key.Dispose();
            throw new IdentityFileException(path, ex.Problem, ex);
        }
    }

    /// <summary>Loads the identity at <paramref name="path"/>.</summary>
    /// <exception cref="IdentityFileException">The file is missing or refused.</exception>
    public static HiddenPointIdentityKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return KeyFile.Read<HiddenPointIdentityKey>(path);
        }
        catch (KeyFileException ex)
        {
            throw new IdentityFileException(path, ex.Problem, ex);
        }
    }

    private static bool TryLoad(string path, out HiddenPointIdentityKey key)
    {
        try
        {
            key = KeyFile.Read<HiddenPointIdentityKey>(path);
            return true;
        }
        catch (KeyFileException ex) when (ex.Problem == KeyFileProblem.NotFound)
        {
            key = null!;
            return false;
        }
        catch (KeyFileException ex)
        {
            throw new IdentityFileException(path, ex.Problem, ex);
        }
    }
}
