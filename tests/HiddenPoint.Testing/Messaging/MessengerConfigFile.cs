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
        var document = new Dictionary<string, MessengerOptions> { [MessengerOptions.Section] = options };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
