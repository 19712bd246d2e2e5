using System.Text;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>Settings: named values, sealed like everything else (a value may be something the user wrote).</summary>
public sealed partial class MessageStore
{
    private const string SettingsTable = "settings";

    /// <summary>The longest setting name, in bytes (ASCII).</summary>
    public const int MaxSettingNameLength = 64;

    /// <summary>The value of setting <paramref name="name"/>, or null when it is not set.</summary>
    /// <exception cref="StoreDamagedException">The stored value does not authenticate.</exception>
    public Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        CheckSettingName(name);
        return ReadAsync(
            transaction =>
            {
                var select = Command("SELECT rowid, value FROM settings WHERE name = $name", transaction);
                select.Parameters.AddWithValue("$name", name);
                using var reader = select.ExecuteReader();
                return reader.Read()
                    ? Encoding.UTF8.GetString(OpenOrThrow(StoreTable.Settings, reader.GetInt64(0), (byte[])reader.GetValue(1), SettingAssociatedData(name)))
                    : null;
            },
            cancellationToken);
    }

    /// <summary>Sets (or replaces) setting <paramref name="name"/>.</summary>
    public Task SetSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        CheckSettingName(name);
        ArgumentNullException.ThrowIfNull(value);
        var utf8 = Encoding.UTF8.GetBytes(value);
        return WriteAsync(
            transaction =>
            {
                var upsert = Command("INSERT INTO settings (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value", transaction);
                upsert.Parameters.AddWithValue("$name", name);
                upsert.Parameters.AddWithValue("$value", _cipher.Seal(utf8, SettingAssociatedData(name)));
                return upsert.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <summary>Removes setting <paramref name="name"/>; true when it was set.</summary>
    public Task<bool> RemoveSettingAsync(string name, CancellationToken cancellationToken)
    {
        CheckSettingName(name);
        return WriteAsync(
            transaction =>
            {
                var delete = Command("DELETE FROM settings WHERE name = $name", transaction);
                delete.Parameters.AddWithValue("$name", name);
                return delete.ExecuteNonQuery() == 1;
            },
            cancellationToken);
    }

    private static byte[] SettingAssociatedData(string name) =>
        StoreCipher.AssociatedData(SettingsTable, "value", Encoding.ASCII.GetBytes(name));

    // Names are the program's own (ASCII letters, digits, '.', '-', '_'), stored in the clear: values are sealed.
    private static void CheckSettingName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxSettingNameLength)
        {
            throw new ArgumentOutOfRangeException(nameof(name), $"A setting name is at most {MaxSettingNameLength} characters.");
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
            {
                throw new ArgumentException("A setting name is ASCII letters, digits, '.', '-' and '_'.", nameof(name));
            }
        }
    }
}
