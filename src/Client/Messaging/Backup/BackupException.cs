namespace HiddenPoint.Client.Messaging.Backup;

/// <summary>A backup file was refused; <see cref="Error"/> says why.</summary>
public sealed class BackupException : Exception
{
    /// <summary>Refuses with <paramref name="error"/>.</summary>
    public BackupException(BackupError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception.</summary>
    public BackupException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why.</summary>
    public BackupError Error { get; }
}
