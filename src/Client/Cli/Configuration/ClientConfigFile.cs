using System.Text;
using System.Text.Json;
using HiddenPoint.Client.Directory;

namespace HiddenPoint.Client.Cli.Configuration;

/// <summary>
/// Writes <c>client.json</c>, the configuration <c>init</c> leaves in the data directory so that later commands find the
/// network without flags: the section <c>Client:Directory:Authorities</c>, in the shape hpc-relay's configuration
/// names its authorities. Written owner-only and atomically (a temporary file renamed over the name), never over a file
/// that is there.
/// </summary>
internal static class ClientConfigFile
{
    /// <summary>Writes <paramref name="authorities"/> to <paramref name="path"/>.</summary>
    /// <exception cref="IOException">A file is there already, or the file system refused.</exception>
    public static void Write(string path, IReadOnlyList<ClientAuthorityOptions> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject(ClientCoreOptions.Section);
            json.WriteStartObject(nameof(ClientCoreOptions.Directory));
            json.WriteStartArray(nameof(ClientDirectoryOptions.Authorities));
            foreach (var authority in authorities)
            {
                json.WriteStartObject();
                json.WriteString(nameof(ClientAuthorityOptions.Nickname), authority.Nickname);
                json.WriteString(nameof(ClientAuthorityOptions.Address), authority.Address);
                json.WriteString(nameof(ClientAuthorityOptions.Identity), authority.Identity);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var file = new FileStream(temporary, options))
            {
                file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                file.Flush(flushToDisk: true);
            }

            // File.Move without overwrite refuses an existing target, so a file that appeared meanwhile is kept.
            File.Move(temporary, path, overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The text <see cref="Write"/> would put in the file, for messages.</summary>
    public static string Describe(IReadOnlyList<ClientAuthorityOptions> authorities) =>
        new StringBuilder().AppendJoin(", ", authorities.Select(a => a.Nickname.Length > 0 ? $"{a.Nickname} ({a.Address})" : a.Address)).ToString();
}
