using System.Text;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Data.Sqlite;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>The contact list: accepted contacts, incoming requests and blocked senders.</summary>
public sealed partial class MessageStore
{
    private const string ContactsTable = "contacts";
    private const string NameColumn = "name";

    /// <summary>The longest contact name, in UTF-8 bytes.</summary>
    public const int MaxContactNameBytes = 256;

    /// <summary>Adds an accepted contact.</summary>
    /// <returns><see cref="ContactResult.Added"/>, or <see cref="ContactResult.AlreadyExists"/> (nothing changed).</returns>
    public Task<ContactResult> AddContactAsync(HiddenId contact, string name, CancellationToken cancellationToken) =>
        AddAsync(contact, CheckName(name), ContactState.Accepted, cancellationToken);

    /// <summary>Records an unknown sender's contact request (the engine stores its first message through the ledger).</summary>
    /// <returns><see cref="ContactResult.Added"/>, or <see cref="ContactResult.AlreadyExists"/> (nothing changed).</returns>
    public Task<ContactResult> AddRequestAsync(HiddenId contact, CancellationToken cancellationToken) =>
        AddAsync(contact, [], ContactState.Requested, cancellationToken);

    /// <summary>Renames a contact.</summary>
    /// <returns><see cref="ContactResult.Updated"/> or <see cref="ContactResult.NotFound"/>.</returns>
    public Task<ContactResult> RenameContactAsync(HiddenId contact, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var utf8 = CheckName(name);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var update = Command("UPDATE contacts SET name = $name WHERE contact = $contact", transaction);
                update.Parameters.AddWithValue("$name", _cipher.Seal(utf8, StoreCipher.AssociatedData(ContactsTable, NameColumn, index)));
                update.Parameters.AddWithValue("$contact", index);
                return update.ExecuteNonQuery() == 1 ? ContactResult.Updated : ContactResult.NotFound;
            },
            cancellationToken);
    }

    /// <summary>Removes a contact from the list; the conversation's history and outbox stay.</summary>
    /// <returns><see cref="ContactResult.Removed"/> or <see cref="ContactResult.NotFound"/>.</returns>
    public Task<ContactResult> RemoveContactAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return WriteAsync(
            transaction =>
            {
                var delete = Command("DELETE FROM contacts WHERE contact = $contact", transaction);
                delete.Parameters.AddWithValue("$contact", _cipher.ContactIndex(contact));
                return delete.ExecuteNonQuery() == 1 ? ContactResult.Removed : ContactResult.NotFound;
            },
            cancellationToken);
    }

    /// <summary>Blocks a sender, known or not: its messages are then refused before being stored.</summary>
    /// <returns><see cref="ContactResult.Updated"/> for an existing entry, <see cref="ContactResult.Added"/> for a new one.</returns>
    public Task<ContactResult> BlockContactAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                return SetState(transaction, index, ContactState.Blocked)
                    ? ContactResult.Updated
                    : Insert(transaction, index, contact, [], ContactState.Blocked);
            },
            cancellationToken);
    }

    /// <summary>Accepts a pending contact request under <paramref name="name"/>.</summary>
    /// <returns><see cref="ContactResult.Updated"/>, <see cref="ContactResult.NotFound"/> or <see cref="ContactResult.NotARequest"/>.</returns>
    public Task<ContactResult> AcceptRequestAsync(HiddenId contact, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var utf8 = CheckName(name);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var state = StateOf(transaction, index);
                if (state != ContactState.Requested)
                {
                    return state is null ? ContactResult.NotFound : ContactResult.NotARequest;
                }

                var update = Command("UPDATE contacts SET state = $state, name = $name WHERE contact = $contact", transaction);
                update.Parameters.AddWithValue("$state", (long)ContactState.Accepted);
                update.Parameters.AddWithValue("$name", _cipher.Seal(utf8, StoreCipher.AssociatedData(ContactsTable, NameColumn, index)));
                update.Parameters.AddWithValue("$contact", index);
                update.ExecuteNonQuery();
                return ContactResult.Updated;
            },
            cancellationToken);
    }

    /// <summary>
    /// Rejects a pending contact request: the request, the messages that came with it and the conversation's counters
    /// are deleted (a later request from the same sender starts afresh).
    /// </summary>
    /// <returns><see cref="ContactResult.Removed"/>, <see cref="ContactResult.NotFound"/> or <see cref="ContactResult.NotARequest"/>.</returns>
    public Task<ContactResult> RejectRequestAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                var state = StateOf(transaction, index);
                if (state != ContactState.Requested)
                {
                    return state is null ? ContactResult.NotFound : ContactResult.NotARequest;
                }

                foreach (var sql in (string[])[
                    "DELETE FROM contacts WHERE contact = $contact",
                    "DELETE FROM messages WHERE contact = $contact",
                    "DELETE FROM conversations WHERE contact = $contact"])
                {
                    var delete = Command(sql, transaction);
                    delete.Parameters.AddWithValue("$contact", index);
                    delete.ExecuteNonQuery();
                }

                return ContactResult.Removed;
            },
            cancellationToken);
    }

    /// <summary>The contact entry for <paramref name="contact"/>, or null.</summary>
    public Task<Contact?> GetContactAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return ReadAsync(
            transaction =>
            {
                var select = Command("SELECT rowid, contact, hidden_id, name, state, created FROM contacts WHERE contact = $contact", transaction);
                select.Parameters.AddWithValue("$contact", _cipher.ContactIndex(contact));
                using var reader = select.ExecuteReader();
                return reader.Read() ? ReadContact(reader) : null;
            },
            cancellationToken);
    }

    /// <summary>Every entry of the contact list, in the order they were made.</summary>
    public Task<IReadOnlyList<Contact>> ListContactsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Contact>>(
            transaction =>
            {
                var select = Command("SELECT rowid, contact, hidden_id, name, state, created FROM contacts ORDER BY created, rowid", transaction);
                var contacts = new List<Contact>();
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    contacts.Add(ReadContact(reader));
                }

                return contacts;
            },
            cancellationToken);

    private Task<ContactResult> AddAsync(HiddenId contact, byte[] name, ContactState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return WriteAsync(
            transaction =>
            {
                var index = _cipher.ContactIndex(contact);
                return StateOf(transaction, index) is null
                    ? Insert(transaction, index, contact, name, state)
                    : ContactResult.AlreadyExists;
            },
            cancellationToken);
    }

    private ContactResult Insert(SqliteTransaction transaction, byte[] index, HiddenId contact, byte[] name, ContactState state)
    {
        var insert = Command(
            "INSERT INTO contacts (contact, hidden_id, name, state, created) VALUES ($contact, $hidden_id, $name, $state, $created)",
            transaction);
        insert.Parameters.AddWithValue("$contact", index);
        insert.Parameters.AddWithValue("$hidden_id", _cipher.Seal(contact.IdentityKey.Bytes, StoreCipher.AssociatedData(ContactsTable, HiddenIdColumn, index)));
        insert.Parameters.AddWithValue("$name", _cipher.Seal(name, StoreCipher.AssociatedData(ContactsTable, NameColumn, index)));
        insert.Parameters.AddWithValue("$state", (long)state);
        insert.Parameters.AddWithValue("$created", _time.GetUtcNow().ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
        return ContactResult.Added;
    }

    private bool SetState(SqliteTransaction transaction, byte[] index, ContactState state)
    {
        var update = Command("UPDATE contacts SET state = $state WHERE contact = $contact", transaction);
        update.Parameters.AddWithValue("$state", (long)state);
        update.Parameters.AddWithValue("$contact", index);
        return update.ExecuteNonQuery() == 1;
    }

    private ContactState? StateOf(SqliteTransaction transaction, byte[] index)
    {
        var select = Command("SELECT state FROM contacts WHERE contact = $contact", transaction);
        select.Parameters.AddWithValue("$contact", index);
        return select.ExecuteScalar() is long state ? (ContactState)state : null;
    }

    private Contact ReadContact(SqliteDataReader reader)
    {
        var row = reader.GetInt64(0);
        var index = (byte[])reader.GetValue(1);
        var hiddenId = OpenHiddenId(StoreTable.Contacts, ContactsTable, row, index, (byte[])reader.GetValue(2));
        var name = OpenOrThrow(StoreTable.Contacts, row, (byte[])reader.GetValue(3), StoreCipher.AssociatedData(ContactsTable, NameColumn, index));
        var state = (ContactState)reader.GetInt64(4);
        if (!Enum.IsDefined(state))
        {
            throw new StoreDamagedException(StoreTable.Contacts, row);
        }

        return new Contact(hiddenId, Encoding.UTF8.GetString(name), state, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
    }

    private static byte[] CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var utf8 = Encoding.UTF8.GetBytes(name);
        if (utf8.Length == 0 || utf8.Length > MaxContactNameBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(name), $"A contact name is 1 to {MaxContactNameBytes} UTF-8 bytes.");
        }

        return utf8;
    }
}
