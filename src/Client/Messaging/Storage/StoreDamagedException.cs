namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// A row of an open store failed its authentication (its ciphertext, or the row it is bound to, was changed on disk),
/// or could not be read. The row is left as it is; <see cref="MessageStore.VerifyAsync"/> counts every such row.
/// </summary>
public sealed class StoreDamagedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StoreDamagedException(StoreTable table, long row)
        : base($"The message store's {table} row {row} is damaged: it does not decrypt under the database key (changed on disk). Run the store's verification to count damaged rows; the rest stays readable.")
    {
        Table = table;
        Row = row;
    }

    /// <summary>The table holding the row.</summary>
    public StoreTable Table { get; }

    /// <summary>The row's SQLite rowid.</summary>
    public long Row { get; }
}

/// <summary>The store's tables that hold sealed values.</summary>
public enum StoreTable
{
    /// <summary>contacts.</summary>
    Contacts = 1,

    /// <summary>messages (history and outbox).</summary>
    Messages,

    /// <summary>conversations (per-contact counters).</summary>
    Conversations,

    /// <summary>settings.</summary>
    Settings,
}
