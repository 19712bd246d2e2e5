using System.Text.Json;
using System.Text.Json.Serialization;
using HiddenPoint.Client.Messaging.Service;

namespace HiddenPoint.Testing.Messaging;

/// <summary>Writes a messenger's options as the configuration file hpc-client reads (section <see cref="MessengerOptions.Section"/>).</summary>
public static class MessengerConfigFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="options"/> to <paramref name="path"/> (readable by the owner only: it names the data directory).</summary>
    public static void Write(MessengerOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        // hpc-client's layout (docs/cli.md): the client core's options and the data directory in Client, the engine's in
        // Messaging, the store's in Store, the messenger's own in Messenger.
        options.Core.DataDirectory = options.DataDirectory;
        var document = new Dictionary<string, object>
        {
            [MessengerOptions.Section] = options.Core,
            ["Messaging"] = options.Messaging,
            ["Store"] = new { options.Store.KdfMemoryKib, options.Store.KdfPasses, options.Store.Durability },
            ["Messenger"] = new { options.StreamTimeout, options.EventSubscriberCapacity },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
