namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>The message store could not be opened; the message names the file, the problem and what to do.</summary>
/// <remarks>The database file is never replaced, repaired or deleted by the store: it stays where it was.</remarks>
public sealed class StoreOpenException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StoreOpenException(string path, StoreOpenFailure failure, string detail)
        : base($"Message store '{path}': {detail}.")
    {
        Path = path;
        Failure = failure;
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public StoreOpenException(string path, StoreOpenFailure failure, string detail, Exception inner)
        : base($"Message store '{path}': {detail}.", inner)
    {
        Path = path;
        Failure = failure;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public StoreOpenFailure Failure { get; }

    /// <summary>When <see cref="Failure"/> is <see cref="StoreOpenFailure.Corrupt"/>: what could still be read.</summary>
    public StoreDamage? Damage { get; init; }

    /// <summary>When <see cref="Failure"/> is <see cref="StoreOpenFailure.NewerSchema"/>: the database's schema version.</summary>
    public int? FoundSchemaVersion { get; init; }
}
