using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>History queries, status counts and the full verification.</summary>
public sealed partial class MessageStore
{
    /// <summary>The most messages one history page returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// A page of the conversation with <paramref name="contact"/>: the <paramref name="count"/> latest messages (both
    /// directions, in the order they were stored) before <paramref name="before"/>, or the latest of all when null.
    /// A message whose body does not authenticate is returned marked <see cref="HistoryEntry.Damaged"/>, so the rest
    /// stays readable.
    /// </summary>
    public Task<HistoryPage> GetHistoryAsync(HiddenId contact, int count, long? before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxPageSize);
        return ReadAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var select = Command(
                    """
                    SELECT position, direction, sequence, message_id, body, stored_at, sent_at, state, reason FROM messages
                    WHERE contact = $contact AND position < $before ORDER BY position DESC LIMIT $limit
                    """,
                    transaction);
                select.Parameters.AddWithValue("$contact", index);
                select.Parameters.AddWithValue("$before", before ?? long.MaxValue);
                select.Parameters.AddWithValue("$limit", count + 1);
                var entries = new List<HistoryEntry>(count);
                var more = false;
                using (var reader = select.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        // One row past the page says whether an older page exists.
                        if (entries.Count == count)
                        {
                            more = true;
                            break;
                        }

                        var direction = (MessageDirection)reader.GetInt64(1);
                        var sequence = (ulong)reader.GetInt64(2);
                        var body = _cipher.Open(
                            (byte[])reader.GetValue(4),
                            StoreCipher.AssociatedData(MessagesTable, BodyColumn, StoreCipher.MessageRowKey(index, direction, sequence)));
                        entries.Add(new HistoryEntry(
                            reader.GetInt64(0),
                            direction,
                            MessageId.Read((byte[])reader.GetValue(3)),
                            sequence,
                            body ?? ReadOnlyMemory<byte>.Empty,
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                            reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                            (DeliveryState)reader.GetInt64(7),
                            (FailureReason)reader.GetInt64(8),
                            Damaged: body is null));
                    }
                }

                entries.Reverse();
                return new HistoryPage(entries, more ? entries[0].Position : null);
            },
            cancellationToken);
    }

    /// <summary>Counts for a status display.</summary>
    public Task<StoreCounts> GetCountsAsync(CancellationToken cancellationToken) =>
        ReadAsync(
            transaction =>
            {
                var messages = Command(
                    """
                    SELECT
                        coalesce(sum(direction = 1 AND state = 1), 0), coalesce(sum(direction = 1 AND state = 2), 0),
                        coalesce(sum(direction = 1 AND state = 3), 0), coalesce(sum(direction = 1 AND state = 4), 0),
                        coalesce(sum(direction = 2), 0)
                    FROM messages
                    """,
                    transaction);
                long queued, sent, delivered, failed, received;
                using (var reader = messages.ExecuteReader())
                {
                    reader.Read();
                    (queued, sent, delivered, failed, received) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                }

                var contacts = Command("SELECT coalesce(sum(state = 1), 0), coalesce(sum(state = 2), 0) FROM contacts", transaction);
                using var contactReader = contacts.ExecuteReader();
                contactReader.Read();
                return new StoreCounts(queued, sent, delivered, failed, received, contactReader.GetInt64(0), contactReader.GetInt64(1));
            },
            cancellationToken);

    /// <summary>
    /// Opens every sealed value in the store and counts those that do not authenticate (changed on disk). Reads the
    /// whole database: for a "check" command or after a damage report, not for every start.
    /// </summary>
    public Task<StoreVerification> VerifyAsync(CancellationToken cancellationToken) =>
        ReadAsync(
            transaction =>
            {
                long contacts = 0, damagedContacts = 0;
                var contactRows = Command("SELECT contact, hidden_id, name FROM contacts", transaction);
                using (var reader = contactRows.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        contacts++;
                        var index = (byte[])reader.GetValue(0);
                        if (_cipher.Open((byte[])reader.GetValue(1), StoreCipher.AssociatedData(ContactsTable, HiddenIdColumn, index)) is null ||
                            _cipher.Open((byte[])reader.GetValue(2), StoreCipher.AssociatedData(ContactsTable, NameColumn, index)) is null)
                        {
                            damagedContacts++;
                        }
                    }
                }

                long messages = 0, damagedMessages = 0;
                var messageRows = Command("SELECT contact, direction, sequence, body FROM messages", transaction);
                using (var reader = messageRows.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        messages++;
                        var rowKey = StoreCipher.MessageRowKey((byte[])reader.GetValue(0), (MessageDirection)reader.GetInt64(1), (ulong)reader.GetInt64(2));
                        if (_cipher.Open((byte[])reader.GetValue(3), StoreCipher.AssociatedData(MessagesTable, BodyColumn, rowKey)) is null)
                        {
                            damagedMessages++;
                        }
                    }
                }

                long conversations = 0, damagedConversations = 0;
                var conversationRows = Command("SELECT contact, hidden_id FROM conversations", transaction);
                using (var reader = conversationRows.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        conversations++;
                        if (_cipher.Open((byte[])reader.GetValue(1), StoreCipher.AssociatedData(ConversationsTable, HiddenIdColumn, (byte[])reader.GetValue(0))) is null)
                        {
                            damagedConversations++;
                        }
                    }
                }

                long settings = 0, damagedSettings = 0;
                var settingRows = Command("SELECT name, value FROM settings", transaction);
                using (var reader = settingRows.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        settings++;
                        if (_cipher.Open((byte[])reader.GetValue(1), SettingAssociatedData(reader.GetString(0))) is null)
                        {
                            damagedSettings++;
                        }
                    }
                }

                return new StoreVerification(contacts, damagedContacts, messages, damagedMessages, conversations, damagedConversations, settings, damagedSettings);
            },
            cancellationToken);

    /// <summary>
    /// Writes a consistent copy of the whole database to <paramref name="path"/> (SQLite's <c>VACUUM INTO</c>: one
    /// read snapshot, written compactly; the copy holds only what this store already keeps sealed). The file must not
    /// exist. Writes already reported complete are in the copy.
    /// </summary>
    public async Task CopyToAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "VACUUM INTO $path";
            command.Parameters.AddWithValue("$path", path);
            command.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }
}
