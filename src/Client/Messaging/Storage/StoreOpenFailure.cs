namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>Why the message store could not be opened; each value says what the user can do about it.</summary>
public enum StoreOpenFailure
{
    /// <summary>No database at the path (and creating one was not asked for).</summary>
    NotFound = 1,

    /// <summary>The passphrase does not unlock the database key (or the key header was altered).</summary>
    WrongPassphrase,

    /// <summary>The database was written by a newer program (its schema version is beyond this program's).</summary>
    NewerSchema,

    /// <summary>The file is damaged or truncated; <see cref="StoreOpenException.Damage"/> says what can still be read.</summary>
    Corrupt,

    /// <summary>Another process (or another store in this one) has the database open.</summary>
    InUse,

    /// <summary>The file, or its folder, belongs to another user.</summary>
    WrongOwner,

    /// <summary>Other users may read or change the file, or change its folder.</summary>
    PermissionsTooOpen,

    /// <summary>The path is a symbolic link or not a regular file.</summary>
    NotARegularFile,

    /// <summary>The file system refused to read or write it.</summary>
    Inaccessible,
}
