using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// Opens a database file as a store, in this order: the folder's and file's owner and permissions; the lock; SQLite's
/// integrity check (before anything is written); the schema version (a newer one is refused); the key header and the
/// passphrase; the pending migrations, in one transaction. Every failure is a <see cref="StoreOpenException"/>, and a
/// file that existed before is left exactly where and as it was.
/// </summary>
internal static class StoreOpener
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public sealed record Opened(string Path, int SchemaVersion, SqliteConnection Connection, StoreCipher Cipher, StoreLock Lock);

    public static Opened Open(MessageStoreOptions options, ReadOnlySpan<byte> passphrase, TimeProvider time, ILogger logger, int targetVersion, CancellationToken cancellationToken)
    {
        var path = options.DatabasePath;
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;

        if (!StoreFileChecks.CheckFolder(path, folder))
        {
            if (!options.CreateIfMissing)
            {
                throw new StoreOpenException(path, StoreOpenFailure.NotFound, $"its folder '{folder}' does not exist");
            }

            CreateFolder(path, folder);
        }

        var existed = StoreFileChecks.CheckFile(path, full);
        if (!existed && !options.CreateIfMissing)
        {
            throw new StoreOpenException(path, StoreOpenFailure.NotFound, "no database there (create one first)");
        }

        var storeLock = StoreLock.TryAcquire(full + ".lock")
            ?? throw new StoreOpenException(path, StoreOpenFailure.InUse, "another process (a running client daemon?) has it open; stop it, or use it through its local API");
        var created = false;
        SqliteConnection? connection = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!existed)
            {
                CreateEmptyFile(path, full);
                created = true;
            }
            else if (new FileInfo(full).Length == 0)
            {
                // SQLite would take an empty file for a new database; a store that existed is never empty.
                throw Corrupt(path, new StoreDamage(0, 0, null, null, null), "the file is empty (truncated to nothing)", null);
            }

            connection = Connect(path, full);
            if (existed)
            {
                CheckIntegrity(path, full, connection, logger);
            }

            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, options.Durability == StoreDurability.PowerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            Execute(connection, "PRAGMA secure_delete = ON");

            var version = created ? 0 : StoreSchema.ReadVersion(connection);
            if (existed && version <= 0)
            {
                throw Corrupt(path, Assess(full, connection, 0), "it is not a HiddenPoint message store (no schema version)", null);
            }

            if (version > StoreSchema.CurrentVersion)
            {
                throw new StoreOpenException(path, StoreOpenFailure.NewerSchema, $"it has schema version {version}, newer than this program's {StoreSchema.CurrentVersion}; run a newer hpc-client (nothing was changed)")
                {
                    FoundSchemaVersion = version,
                };
            }

            var databaseKey = GC.AllocateArray<byte>(StoreCipher.DatabaseKeyLength, pinned: true);
            try
            {
                if (created)
                {
                    var kdf = new StoreKdfParameters(options.KdfMemoryKib, options.KdfPasses);
                    var header = StoreKeyHeader.Create(passphrase, kdf, databaseKey);
                    using var transaction = connection.BeginTransaction();
                    StoreSchema.Migrate(connection, transaction, 0, targetVersion, time.GetUtcNow());
                    WriteHeader(connection, transaction, header);
                    transaction.Commit();
                    version = targetVersion;
                    StoreLog.Created(logger, version, kdf.MemoryKib, kdf.Passes);
                }
                else
                {
                    var header = ReadHeader(path, full, connection);
                    if (!header.TryUnwrap(passphrase, databaseKey))
                    {
                        throw new StoreOpenException(path, StoreOpenFailure.WrongPassphrase, "the passphrase does not unlock it (wrong passphrase, or its key header was altered); nothing was changed");
                    }

                    if (version < targetVersion)
                    {
                        using var transaction = connection.BeginTransaction();
                        StoreSchema.Migrate(connection, transaction, version, targetVersion, time.GetUtcNow());
                        transaction.Commit();
                        StoreLog.Migrated(logger, version, targetVersion);
                        version = targetVersion;
                    }
                }

                var cipher = StoreCipher.FromDatabaseKey(databaseKey);
                StoreLog.Opened(logger, version);
                return new Opened(full, version, connection, cipher, storeLock);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(databaseKey);
            }
        }
        catch (Exception e)
        {
            connection?.Dispose();
            if (created)
            {
                // Only the file this call made, never one that was there before.
                DeleteQuietly(full);
                DeleteQuietly(full + "-wal");
                DeleteQuietly(full + "-journal");
            }

            storeLock.Dispose();
            if (e is SqliteException sqlite)
            {
                throw sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked
                    ? new StoreOpenException(path, StoreOpenFailure.InUse, "another program has it locked", sqlite)
                    : new StoreOpenException(path, StoreOpenFailure.Inaccessible, "SQLite refused it: " + sqlite.Message, sqlite);
            }

            throw;
        }
    }

    private static SqliteConnection Connect(string path, string full)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();

            // Before the first read: the lock is then held from that read until the connection closes, and the WAL
            // index lives in the process's memory instead of a shared-memory file.
            Execute(connection, "PRAGMA locking_mode = EXCLUSIVE");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new StoreOpenException(path, StoreOpenFailure.Inaccessible, "SQLite could not open it: " + e.Message, e);
        }
    }

    // quick_check reads every page and checks the b-trees' structure (not index contents against tables, which the
    // full integrity_check adds at several times the cost). Damaged sealed values are found by AEAD on read.
    private static void CheckIntegrity(string path, string full, SqliteConnection connection, ILogger logger)
    {
        var problems = 0;
        try
        {
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            using var reader = check.ExecuteReader();
            while (reader.Read())
            {
                if (!string.Equals(reader.GetString(0), "ok", StringComparison.Ordinal))
                {
                    problems++;
                }
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            var damage = Assess(full, connection, Math.Max(problems, 1));
            StoreLog.Corrupt(logger, damage.ProblemsFound, damage.Contacts, damage.Messages);
            throw Corrupt(path, damage, e.SqliteErrorCode == SqliteNotADatabase
                ? "it is not a database, or its first page is damaged"
                : "SQLite found it damaged: " + e.Message, e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteBusy or SqliteLocked)
        {
            throw new StoreOpenException(path, StoreOpenFailure.InUse, "another program has it locked", e);
        }

        if (problems > 0)
        {
            var damage = Assess(full, connection, problems);
            StoreLog.Corrupt(logger, damage.ProblemsFound, damage.Contacts, damage.Messages);
            throw Corrupt(path, damage, $"SQLite's integrity check found {problems} problem(s)", null);
        }
    }

    private static StoreOpenException Corrupt(string path, StoreDamage damage, string what, Exception? inner)
    {
        var detail = $"{what}; readable: {Count(damage.Contacts)} contacts, {Count(damage.Messages)} messages, {Count(damage.Conversations)} conversations. " +
            "The file was left as it is: keep a copy, restore a backup, or move it away to start a new store";
        return inner is null
            ? new StoreOpenException(path, StoreOpenFailure.Corrupt, detail) { Damage = damage }
            : new StoreOpenException(path, StoreOpenFailure.Corrupt, detail, inner) { Damage = damage };
    }

    private static string Count(long? rows) => rows?.ToString(CultureInfo.InvariantCulture) ?? "none";

    // Counts what each table still gives, row by row, stopping at the first error.
    private static StoreDamage Assess(string full, SqliteConnection connection, int problems)
    {
        long size;
        try
        {
            size = new FileInfo(full).Length;
        }
        catch (IOException)
        {
            size = -1;
        }

        // A connection of its own, read-only: the one that met the damage may have given up on the schema, and it holds
        // the exclusive lock (the store's lock file still keeps other stores out).
        connection.Close();
        using var fresh = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        try
        {
            fresh.Open();

            // A truncated file is otherwise refused outright (its header claims more pages than the file has).
            Execute(fresh, "PRAGMA writable_schema = ON");
        }
        catch (SqliteException)
        {
            return new StoreDamage(problems, size, null, null, null);
        }

        return new StoreDamage(problems, size, Rows(fresh, "contacts"), Rows(fresh, "messages"), Rows(fresh, "conversations"));
    }

    // Rows readable from each end of the table's b-tree up to the first damaged page: a gap in the middle costs only
    // the rows on the pages lost.
    private static long? Rows(SqliteConnection connection, string table)
    {
        var (forward, complete) = Scan(connection, $"SELECT rowid FROM {table} ORDER BY rowid");
        if (complete)
        {
            return forward;
        }

        var (backward, _) = Scan(connection, $"SELECT rowid FROM {table} ORDER BY rowid DESC");
        var rows = forward + backward;
        return rows == 0 ? null : rows;
    }

    private static (long Rows, bool Complete) Scan(SqliteConnection connection, string sql)
    {
        long rows = 0;
        try
        {
            using var scan = connection.CreateCommand();
            scan.CommandText = sql;
            using var reader = scan.ExecuteReader();
            while (reader.Read())
            {
                rows++;
            }

            return (rows, true);
        }
        catch (SqliteException)
        {
            return (rows, false);
        }
    }

    private static StoreKeyHeader ReadHeader(string path, string full, SqliteConnection connection)
    {
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT salt, kdf_memory_kib, kdf_passes, kdf_parallelism, nonce, wrapped_key FROM key_header WHERE id = 1";
        StoreKeyHeader? header = null;
        try
        {
            using var reader = read.ExecuteReader();
            if (reader.Read() && !reader.IsDBNull(0) && !reader.IsDBNull(4) && !reader.IsDBNull(5) &&
                reader.GetInt64(1) is >= StoreKdfParameters.MinMemoryKib and <= StoreKdfParameters.MaxMemoryKib &&
                reader.GetInt64(2) is >= StoreKdfParameters.MinPasses and <= StoreKdfParameters.MaxPasses &&
                reader.GetInt64(3) == StoreKdfParameters.Parallelism)
            {
                header = new StoreKeyHeader(
                    (byte[])reader.GetValue(0),
                    new StoreKdfParameters(reader.GetInt32(1), reader.GetInt32(2)),
                    (byte[])reader.GetValue(4),
                    (byte[])reader.GetValue(5));
            }
        }
        catch (Exception e) when (e is SqliteException or InvalidCastException)
        {
            throw Corrupt(path, Assess(full, connection, 1), "its key header cannot be read", e);
        }

        return header is { IsWellFormed: true }
            ? header
            : throw Corrupt(path, Assess(full, connection, 1), "its key header is missing or malformed", null);
    }

    private static void WriteHeader(SqliteConnection connection, SqliteTransaction transaction, StoreKeyHeader header)
    {
        using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = """
            INSERT INTO key_header (id, salt, kdf_memory_kib, kdf_passes, kdf_parallelism, nonce, wrapped_key)
            VALUES (1, $salt, $memory, $passes, $parallelism, $nonce, $wrapped)
            """;
        write.Parameters.AddWithValue("$salt", header.Salt);
        write.Parameters.AddWithValue("$memory", header.Kdf.MemoryKib);
        write.Parameters.AddWithValue("$passes", header.Kdf.Passes);
        write.Parameters.AddWithValue("$parallelism", StoreKdfParameters.Parallelism);
        write.Parameters.AddWithValue("$nonce", header.Nonce);
        write.Parameters.AddWithValue("$wrapped", header.WrappedKey);
        write.ExecuteNonQuery();
    }

    private static void CreateFolder(string path, string folder)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(folder);
            }
            else
            {
                System.IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreOpenException(path, StoreOpenFailure.Inaccessible, $"could not create its folder '{folder}': {e.Message}", e);
        }
    }

    // Made here, owner-only, so SQLite (which would create it with the umask's permissions) opens a private file.
    private static void CreateEmptyFile(string path, string full)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(full, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreOpenException(path, StoreOpenFailure.Inaccessible, "could not create it: " + e.Message, e);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
