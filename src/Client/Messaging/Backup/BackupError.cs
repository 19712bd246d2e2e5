namespace HiddenPoint.Client.Messaging.Backup;

/// <summary>Why a backup file was refused (docs/messaging-store.md, "Backups").</summary>
public enum BackupError
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>Shorter than its header, or larger than <see cref="BackupFile.MaxLength"/>.</summary>
    BadLength,

    /// <summary>It does not start with the backup magic: not a HiddenPoint backup, or another version.</summary>
    NotABackup,

    /// <summary>Its key-derivation parameters are out of bounds (a hostile or damaged header).</summary>
    BadParameters,

    /// <summary>It does not authenticate: the passphrase is wrong, or the file was changed or cut.</summary>
    WrongPassphraseOrDamaged,

    /// <summary>It authenticated but its contents are not an identity and a database (written by something else).</summary>
    BadContents,
}
