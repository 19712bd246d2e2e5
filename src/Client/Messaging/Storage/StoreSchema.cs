using Microsoft.Data.Sqlite;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The database's schema as an ordered list of migrations. A database records each version applied in
/// <c>schema_version</c>; opening one runs the versions it lacks, in order, in a single transaction, so a crash leaves
/// it at its old version or the new one. A database whose version is beyond <see cref="CurrentVersion"/> was written
/// by a newer program and is refused, never downgraded. Migrations are append-only: a released one never changes.
/// </summary>
internal static class StoreSchema
{
    /// <summary>The bookkeeping table, created before any migration.</summary>
    public const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at INTEGER NOT NULL
        ) STRICT;
        """;

    /// <summary>The migrations, by version (1, 2, …, no gap).</summary>
    public static IReadOnlyList<StoreMigration> Migrations { get; } =
    [
        // Version 1: the tables. Sealed columns hold nonce | ciphertext | tag (StoreCipher); "contact" columns hold
        // the keyed hash of a hidden-id, never the id itself.
        new(1, """
            CREATE TABLE key_header (
                id              INTEGER PRIMARY KEY CHECK (id = 1),
                salt            BLOB    NOT NULL,
                kdf_memory_kib  INTEGER NOT NULL,
                kdf_passes      INTEGER NOT NULL,
                kdf_parallelism INTEGER NOT NULL,
                nonce           BLOB    NOT NULL,
                wrapped_key     BLOB    NOT NULL
            ) STRICT;
            CREATE TABLE settings (
                name  TEXT PRIMARY KEY,
                value BLOB NOT NULL
            ) STRICT;
            CREATE TABLE contacts (
                contact   BLOB    PRIMARY KEY,
                hidden_id BLOB    NOT NULL,
                name      BLOB    NOT NULL,
                state     INTEGER NOT NULL,
                created   INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE conversations (
                contact           BLOB    PRIMARY KEY,
                hidden_id         BLOB    NOT NULL,
                next_outgoing     INTEGER NOT NULL,
                delivered_through INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE messages (
                position   INTEGER PRIMARY KEY AUTOINCREMENT,
                contact    BLOB    NOT NULL,
                direction  INTEGER NOT NULL,
                sequence   INTEGER NOT NULL,
                message_id BLOB    NOT NULL,
                body       BLOB    NOT NULL,
                stored_at  INTEGER NOT NULL,
                sent_at    INTEGER,
                state      INTEGER NOT NULL,
                reason     INTEGER NOT NULL,
                UNIQUE (contact, direction, sequence)
            ) STRICT;
            """),

        // Version 2: indexes for opening a conversation's latest messages and paging back (without it, SQLite sorts a
        // conversation's whole history), for the outgoing messages not yet delivered (the outbox and the failed ones:
        // an acknowledgement then touches only those, not the whole delivered history) and for finding a message by
        // id. Queries name the partial index (INDEXED BY: without statistics the planner prefers the unique index, which
        // walks the whole delivered history) and repeat its condition "state <> 3" word for word (SQLite uses a partial
        // index only when the query's terms contain its WHERE).
        new(2, """
            CREATE INDEX messages_history ON messages (contact, position);
            CREATE INDEX messages_undelivered ON messages (contact, sequence) WHERE direction = 1 AND state <> 3;
            CREATE INDEX messages_by_id ON messages (contact, message_id);
            """),
    ];

    /// <summary>The version this program writes.</summary>
    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>The database's version: 0 when it has no schema_version table, -1 when the table exists but is empty.</summary>
    public static int ReadVersion(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT max(version) FROM schema_version";
        return read.ExecuteScalar() is long version ? checked((int)version) : -1;
    }

    /// <summary>Runs the migrations after <paramref name="fromVersion"/> up to <paramref name="toVersion"/> inside <paramref name="transaction"/>.</summary>
    public static void Migrate(SqliteConnection connection, SqliteTransaction transaction, int fromVersion, int toVersion, DateTimeOffset now)
    {
        using (var bootstrap = connection.CreateCommand())
        {
            bootstrap.Transaction = transaction;
            bootstrap.CommandText = VersionTable;
            bootstrap.ExecuteNonQuery();
        }

        foreach (var migration in Migrations)
        {
            if (migration.Version <= fromVersion || migration.Version > toVersion)
            {
                continue;
            }

            using var apply = connection.CreateCommand();
            apply.Transaction = transaction;
            apply.CommandText = migration.Sql;
            apply.ExecuteNonQuery();

            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $at)";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
        }
    }
}

/// <summary>One step of the schema.</summary>
/// <param name="Version">The version the database has after it.</param>
/// <param name="Sql">The statements.</param>
internal sealed record StoreMigration(int Version, string Sql);
