using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>The message store's log events (ids 5901–5929, docs/development.md). Never a hidden-id, name or body.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(5901, LogLevel.Information, "Message store opened (schema version {Version})", EventName = "StoreOpened")]
    public static partial void Opened(ILogger logger, int version);

    [LoggerMessage(5902, LogLevel.Information, "Message store created (schema version {Version}, Argon2id {MemoryKib} KiB, {Passes} passes)", EventName = "StoreCreated")]
    public static partial void Created(ILogger logger, int version, int memoryKib, int passes);

    [LoggerMessage(5903, LogLevel.Information, "Message store migrated from schema version {From} to {To}", EventName = "StoreMigrated")]
    public static partial void Migrated(ILogger logger, int from, int to);

    [LoggerMessage(5904, LogLevel.Error, "Message store damaged: {Problems} integrity problems; readable rows: {Contacts} contacts, {Messages} messages", EventName = "StoreCorrupt")]
    public static partial void Corrupt(ILogger logger, int problems, long? contacts, long? messages);

    [LoggerMessage(5905, LogLevel.Error, "Message store row damaged in {Table} (row {Row})", EventName = "StoreRowDamaged")]
    public static partial void RowDamaged(ILogger logger, StoreTable table, long row);
}
