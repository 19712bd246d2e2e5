using HiddenPoint.Client.Messaging.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The user's encrypted message store (docs/messaging-store.md): contacts, history and outbox, conversation counters
/// and settings in one SQLite database, every value a user wrote or received sealed under the database key. It is the
/// conversation engine's <see cref="IMessageLedger"/>. One store per database file at a time (a second is refused with
/// <see cref="StoreOpenFailure.InUse"/>); one connection, used by one call at a time; each change is one transaction,
/// durable when its task completes.
/// </summary>
public sealed partial class MessageStore : IMessageLedger, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly StoreCipher _cipher;
    private readonly StoreLock _lock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _disposed;

    private MessageStore(string path, int schemaVersion, SqliteConnection connection, StoreCipher cipher, StoreLock storeLock, TimeProvider time, ILogger logger)
    {
        DatabasePath = path;
        SchemaVersion = schemaVersion;
        _connection = connection;
        _cipher = cipher;
        _lock = storeLock;
        _time = time;
        _logger = logger;
    }

    /// <summary>The schema version this program writes.</summary>
    public static int CurrentSchemaVersion => StoreSchema.CurrentVersion;

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The database's schema version (after migration: <see cref="CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion { get; }

    /// <summary>Reads the passphrase from <paramref name="source"/> and opens (or creates) the store.</summary>
    /// <exception cref="StoreOpenException">The store cannot be opened; see <see cref="StoreOpenException.Failure"/>.</exception>
    /// <exception cref="PassphraseException">The source has no passphrase.</exception>
    public static async Task<MessageStore> OpenAsync(
        MessageStoreOptions options, PassphraseSource source, TimeProvider timeProvider, ILogger<MessageStore>? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var passphrase = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
        return await OpenAsync(options, passphrase, timeProvider, logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens (or, with <see cref="MessageStoreOptions.CreateIfMissing"/>, creates) the store.</summary>
    /// <exception cref="StoreOpenException">The store cannot be opened; see <see cref="StoreOpenException.Failure"/>.</exception>
    public static Task<MessageStore> OpenAsync(
        MessageStoreOptions options, Passphrase passphrase, TimeProvider timeProvider, ILogger<MessageStore>? logger, CancellationToken cancellationToken) =>
        OpenAsync(options, passphrase, timeProvider, logger, StoreSchema.CurrentVersion, cancellationToken);

    /// <summary>Opens the store migrating it no further than <paramref name="schemaVersion"/> (tests build old databases with it).</summary>
    internal static Task<MessageStore> OpenAsync(
        MessageStoreOptions options, Passphrase passphrase, TimeProvider timeProvider, ILogger<MessageStore>? logger, int schemaVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        var log = (ILogger?)logger ?? NullLogger.Instance;

        // Argon2id takes a good fraction of a second and 64 MiB: off the caller's thread.
        return Task.Run(
            () =>
            {
                var opened = StoreOpener.Open(options, passphrase.Bytes, timeProvider, log, schemaVersion, cancellationToken);
                return new MessageStore(opened.Path, opened.SchemaVersion, opened.Connection, opened.Cipher, opened.Lock, timeProvider, log);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _gate.Wait();
        try
        {
            _disposed = true;
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            // Closing the last connection checkpoints the WAL into the database file and removes it.
            _connection.Dispose();
            _cipher.Dispose();
            _lock.Dispose();
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    // Runs work under the gate, inside one transaction committed when work returns.
    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            var result = work(transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Runs a read under the gate (one statement's view is consistent; several reads share a transaction).
    private async Task<T> ReadAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction(deferred: true);
            return work(transaction);
        }
        finally
        {
            _gate.Release();
        }
    }

    // A prepared command for sql, kept for the store's life (called under the gate only).
    private SqliteCommand Command(string sql, SqliteTransaction transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    private byte[] OpenOrThrow(StoreTable table, long row, ReadOnlySpan<byte> sealedBytes, byte[] associatedData)
    {
        var plaintext = _cipher.Open(sealedBytes, associatedData);
        if (plaintext is null)
        {
            StoreLog.RowDamaged(_logger, table, row);
            throw new StoreDamagedException(table, row);
        }

        return plaintext;
    }

    private static long ToColumn(ulong sequence, string name) =>
        sequence <= long.MaxValue ? (long)sequence : throw new ArgumentOutOfRangeException(name, sequence, "Sequence numbers stop at 2^63 - 1.");
}
