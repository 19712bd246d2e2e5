using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Data.Sqlite;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>The ledger: outbox, delivery states and the per-conversation counters.</summary>
public sealed partial class MessageStore
{
    private const string ConversationsTable = "conversations";
    private const string MessagesTable = "messages";
    private const string HiddenIdColumn = "hidden_id";
    private const string BodyColumn = "body";

    /// <inheritdoc/>
    public Task<OutgoingMessage> EnqueueAsync(HiddenId contact, MessageId id, ReadOnlyMemory<byte> body, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var stored = DateTimeOffset.FromUnixTimeMilliseconds(createdAt.ToUnixTimeMilliseconds());
        var copy = body.ToArray();
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var (next, _) = Conversation(transaction, index, contact);
                InsertMessage(transaction, index, MessageDirection.Outgoing, next, id, copy, stored, sentAt: null, DeliveryState.Queued);
                var advance = Command("UPDATE conversations SET next_outgoing = $next WHERE contact = $contact", transaction);
                advance.Parameters.AddWithValue("$next", ToColumn(next + 1, nameof(id)));
                advance.Parameters.AddWithValue("$contact", index);
                advance.ExecuteNonQuery();
                return new OutgoingMessage(contact, id, next, copy, stored, DeliveryState.Queued, FailureReason.None);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<OutgoingMessage>> PendingAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return ReadAsync<IReadOnlyList<OutgoingMessage>>(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var select = Command(
                    """
                    SELECT position, sequence, message_id, body, stored_at, state, reason FROM messages INDEXED BY messages_undelivered
                    WHERE contact = $contact AND direction = 1 AND state <> 3 AND state IN (1, 2) ORDER BY sequence
                    """,
                    transaction);
                select.Parameters.AddWithValue("$contact", index);
                var pending = new List<OutgoingMessage>();
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var position = reader.GetInt64(0);
                    var sequence = (ulong)reader.GetInt64(1);
                    var body = OpenOrThrow(
                        StoreTable.Messages,
                        position,
                        (byte[])reader.GetValue(3),
                        StoreCipher.AssociatedData(MessagesTable, BodyColumn, StoreCipher.MessageRowKey(index, MessageDirection.Outgoing, sequence)));
                    pending.Add(new OutgoingMessage(
                        contact,
                        MessageId.Read((byte[])reader.GetValue(2)),
                        sequence,
                        body,
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                        (DeliveryState)reader.GetInt64(5),
                        (FailureReason)reader.GetInt64(6)));
                }

                return pending;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HiddenId>> ContactsWithPendingAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<HiddenId>>(
            transaction =>
            {
                var select = Command(
                    """
                    SELECT rowid, contact, hidden_id FROM conversations AS c WHERE EXISTS
                        (SELECT 1 FROM messages AS m INDEXED BY messages_undelivered WHERE m.contact = c.contact AND m.direction = 1 AND m.state <> 3 AND m.state IN (1, 2))
                    """,
                    transaction);
                var contacts = new List<HiddenId>();
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    contacts.Add(OpenHiddenId(StoreTable.Conversations, ConversationsTable, reader.GetInt64(0), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2)));
                }

                return contacts;
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task MarkSentAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var through = Math.Min(throughSequence, long.MaxValue);
        return WriteAsync(
            transaction =>
            {
                var update = Command(
                    "UPDATE messages INDEXED BY messages_undelivered SET state = 2 WHERE contact = $contact AND direction = 1 AND state <> 3 AND state = 1 AND sequence <= $through",
                    transaction);
                update.Parameters.AddWithValue("$contact", _cipher.ContactIndex(contact));
                update.Parameters.AddWithValue("$through", (long)through);
                return update.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task MarkDeliveredAsync(HiddenId contact, ulong throughSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var last = LastEnqueued(transaction, index);
                if (throughSequence > last)
                {
                    throw new ArgumentOutOfRangeException(nameof(throughSequence), throughSequence, $"An acknowledgement beyond the last enqueued sequence number ({last}).");
                }

                // Failed messages included: an acknowledgement is the recipient's word that it has them.
                var update = Command(
                    "UPDATE messages INDEXED BY messages_undelivered SET state = 3, reason = 0 WHERE contact = $contact AND direction = 1 AND state <> 3 AND sequence <= $through",
                    transaction);
                update.Parameters.AddWithValue("$contact", index);
                update.Parameters.AddWithValue("$through", (long)throughSequence);
                return update.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task MarkFailedAsync(HiddenId contact, MessageId id, FailureReason reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (reason == FailureReason.None || !Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A failure needs a reason.");
        }

        return WriteAsync(
            transaction =>
            {
                var update = Command(
                    "UPDATE messages SET state = 4, reason = $reason WHERE contact = $contact AND direction = 1 AND message_id = $id AND state IN (1, 2)",
                    transaction);
                update.Parameters.AddWithValue("$reason", (long)reason);
                update.Parameters.AddWithValue("$contact", _cipher.ContactIndex(contact));
                update.Parameters.AddWithValue("$id", IdBytes(id));
                return update.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ulong> DeliveredThroughAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return ReadAsync(
            transaction =>
            {
                var select = Command("SELECT delivered_through FROM conversations WHERE contact = $contact", transaction);
                select.Parameters.AddWithValue("$contact", _cipher.ContactIndex(contact));
                return select.ExecuteScalar() is long through ? (ulong)through : 0UL;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> AcceptIncomingAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(message.Contact);
        if (message.Sequence == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(message), message.Sequence, "Sequence numbers start at 1.");
        }

        var sequence = ToColumn(message.Sequence, nameof(message));
        var receivedAt = DateTimeOffset.FromUnixTimeMilliseconds(message.ReceivedAt.ToUnixTimeMilliseconds());
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(message.Contact);
                var (_, deliveredThrough) = Conversation(transaction, index, message.Contact);
                if (message.Sequence <= deliveredThrough)
                {
                    return false;
                }

                if (message.Sequence != deliveredThrough + 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(message), message.Sequence, $"Sequence number {message.Sequence} is ahead of the next expected ({deliveredThrough + 1}); hold it until the gap is filled.");
                }

                InsertMessage(transaction, index, MessageDirection.Incoming, message.Sequence, message.Id, message.Body.Span, receivedAt, message.SentAt, DeliveryState.Delivered);
                var advance = Command("UPDATE conversations SET delivered_through = $through WHERE contact = $contact", transaction);
                advance.Parameters.AddWithValue("$through", sequence);
                advance.Parameters.AddWithValue("$contact", index);
                advance.ExecuteNonQuery();
                return true;
            },
            cancellationToken);
    }

    // The conversation's counters (next outgoing sequence, delivered-through), made on first use.
    private (ulong NextOutgoing, ulong DeliveredThrough) Conversation(SqliteTransaction transaction, byte[] index, HiddenId contact)
    {
        var select = Command("SELECT next_outgoing, delivered_through FROM conversations WHERE contact = $contact", transaction);
        select.Parameters.AddWithValue("$contact", index);
        using (var reader = select.ExecuteReader())
        {
            if (reader.Read())
            {
                return ((ulong)reader.GetInt64(0), (ulong)reader.GetInt64(1));
            }
        }

        var insert = Command(
            "INSERT INTO conversations (contact, hidden_id, next_outgoing, delivered_through) VALUES ($contact, $hidden_id, 1, 0)",
            transaction);
        insert.Parameters.AddWithValue("$contact", index);
        insert.Parameters.AddWithValue("$hidden_id", _cipher.Seal(contact.IdentityKey.Bytes, StoreCipher.AssociatedData(ConversationsTable, HiddenIdColumn, index)));
        insert.ExecuteNonQuery();
        return (1, 0);
    }

    private ulong LastEnqueued(SqliteTransaction transaction, byte[] index)
    {
        var select = Command("SELECT next_outgoing FROM conversations WHERE contact = $contact", transaction);
        select.Parameters.AddWithValue("$contact", index);
        return select.ExecuteScalar() is long next ? (ulong)next - 1 : 0;
    }

    private void InsertMessage(
        SqliteTransaction transaction, byte[] index, MessageDirection direction, ulong sequence, MessageId id, ReadOnlySpan<byte> body,
        DateTimeOffset storedAt, DateTimeOffset? sentAt, DeliveryState state)
    {
        var insert = Command(
            """
            INSERT INTO messages (contact, direction, sequence, message_id, body, stored_at, sent_at, state, reason)
            VALUES ($contact, $direction, $sequence, $id, $body, $stored_at, $sent_at, $state, 0)
            """,
            transaction);
        insert.Parameters.AddWithValue("$contact", index);
        insert.Parameters.AddWithValue("$direction", (long)direction);
        insert.Parameters.AddWithValue("$sequence", (long)sequence);
        insert.Parameters.AddWithValue("$id", IdBytes(id));
        insert.Parameters.AddWithValue("$body", _cipher.Seal(body, StoreCipher.AssociatedData(MessagesTable, BodyColumn, StoreCipher.MessageRowKey(index, direction, sequence))));
        insert.Parameters.AddWithValue("$stored_at", storedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$sent_at", sentAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value);
        insert.Parameters.AddWithValue("$state", (long)state);
        insert.ExecuteNonQuery();
    }

    // A sealed hidden-id, checked against the row's contact column too (the associated data already binds it).
    private HiddenId OpenHiddenId(StoreTable table, string tableName, long row, byte[] index, byte[] sealedId)
    {
        var key = OpenOrThrow(table, row, sealedId, StoreCipher.AssociatedData(tableName, HiddenIdColumn, index));
        if (HiddenPointIdentityPublicKey.TryCreate(key, out var identityKey) != HiddenIdError.None)
        {
            throw new StoreDamagedException(table, row);
        }

        return identityKey!.ToHiddenId();
    }

    private static byte[] IdBytes(MessageId id)
    {
        var bytes = new byte[MessageId.Length];
        id.Write(bytes);
        return bytes;
    }
}
