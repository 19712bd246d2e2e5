using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The user's encrypted message store (docs/messaging-store.md): contacts, history and outbox, conversation counters
/// and settings in one SQLite database, every value a user wrote or received sealed under the database key. It is the
/// conversation engine's <see cref="IMessageLedger"/>. One store per database file at a time (a second is refused with
/// <see cref="StoreOpenFailure.InUse"/>); one connection, used by one call at a time. Changes go to one writer loop,
/// which runs every change waiting at that moment in one transaction (each under its own savepoint, so one that fails
/// fails alone) and commits it with one fsync (group commit): a change's task completes only after its commit, so each
/// is durable when its task completes, and callers with several changes in flight share the cost of a commit.
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
    private readonly Channel<StoreWrite> _writes = Channel.CreateUnbounded<StoreWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
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
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The most changes one commit carries.</summary>
    internal const int MaxChangesPerCommit = 256;

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
        if (!_writes.Writer.TryComplete())
        {
            return;
        }

        // Changes already accepted are committed before the store closes.
        _writer.GetAwaiter().GetResult();
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

    // Hands work to the writer loop; the task completes when the transaction that ran it has committed.
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new StoreWrite<T>(work, cancellationToken);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(write), this);
        return write.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<StoreWrite>(MaxChangesPerCommit);
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            StoreWrite? current = null;
            try
            {
                batch.Clear();
                using var transaction = _connection.BeginTransaction();
                while (batch.Count < MaxChangesPerCommit && reader.TryRead(out current))
                {
                    if (current.CancellationToken.IsCancellationRequested)
                    {
                        current.Cancel();
                        continue;
                    }

                    Command("SAVEPOINT change", transaction).ExecuteNonQuery();
                    try
                    {
                        current.Run(transaction);
                        Command("RELEASE change", transaction).ExecuteNonQuery();
                        batch.Add(current);
                    }
                    catch (Exception e)
                    {
                        // The caller's own refusal (an acknowledgement out of range, a gap) or a failed statement:
                        // undo that change only, and tell its caller alone.
                        Command("ROLLBACK TO change", transaction).ExecuteNonQuery();
                        Command("RELEASE change", transaction).ExecuteNonQuery();
                        current.Fail(e);
                    }

                    current = null;
                }

                transaction.Commit();
                foreach (var write in batch)
                {
                    write.Complete();
                }
            }
            catch (Exception e)
            {
                // The database failed (a savepoint, the commit): none of the batch is durable, and every caller is told.
                current?.Fail(e);
                foreach (var write in batch)
                {
                    write.Fail(e);
                }

                // A transaction that cannot even begin fails the next change, so the loop never spins on the same error.
                if (current is null && batch.Count == 0 && reader.TryRead(out var next))
                {
                    next.Fail(e);
                }
            }
            finally
            {
                _gate.Release();
            }
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
