namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>How the message store opens its database.</summary>
public sealed class MessageStoreOptions
{
    /// <summary>The database's file name in the user's data directory.</summary>
    public const string DefaultFileName = "messages.db";

    /// <summary>The database file (usually <see cref="DefaultFileName"/> in the data directory). Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>Create the database (and its folder, owner-only) when it does not exist. Default false.</summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>
    /// Argon2id memory for a new database's passphrase key, in KiB: 8 to 1,048,576 (1 GiB). Default 65,536 (64 MiB).
    /// An existing database uses the parameters stored in it.
    /// </summary>
    public int KdfMemoryKib { get; set; } = StoreKdfParameters.DefaultMemoryKib;

    /// <summary>Argon2id passes for a new database: 1 to 20. Default 3.</summary>
    public int KdfPasses { get; set; } = StoreKdfParameters.DefaultPasses;

    /// <summary>
    /// What a completed write survives. Default <see cref="StoreDurability.PowerLoss"/> (SQLite synchronous=FULL).
    /// </summary>
    public StoreDurability Durability { get; set; } = StoreDurability.PowerLoss;

    /// <summary>Checks every option; the message names the option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException($"{nameof(MessageStoreOptions)}.{nameof(DatabasePath)} is required.");
        }

        if (KdfMemoryKib is < StoreKdfParameters.MinMemoryKib or > StoreKdfParameters.MaxMemoryKib)
        {
            throw new ArgumentException($"{nameof(MessageStoreOptions)}.{nameof(KdfMemoryKib)} must be {StoreKdfParameters.MinMemoryKib} to {StoreKdfParameters.MaxMemoryKib} KiB (was {KdfMemoryKib}).");
        }

        if (KdfPasses is < StoreKdfParameters.MinPasses or > StoreKdfParameters.MaxPasses)
        {
            throw new ArgumentException($"{nameof(MessageStoreOptions)}.{nameof(KdfPasses)} must be {StoreKdfParameters.MinPasses} to {StoreKdfParameters.MaxPasses} (was {KdfPasses}).");
        }

        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentException($"{nameof(MessageStoreOptions)}.{nameof(Durability)} is not a known value ({Durability}).");
        }
    }
}

/// <summary>What a write the store reported complete survives.</summary>
public enum StoreDurability
{
    /// <summary>A process kill and a power loss or kernel crash (SQLite synchronous=FULL: the WAL is fsynced at every commit).</summary>
    PowerLoss = 1,

    /// <summary>
    /// A process kill (kill -9), not a power loss, which may roll back the last commits but never corrupts (WAL with
    /// synchronous=NORMAL: the WAL is fsynced at checkpoints only). Several times the write rate.
    /// </summary>
    ProcessCrash = 2,
}
