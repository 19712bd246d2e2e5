using System.Text.Json;

namespace HiddenPoint.Client.Cli.Output;

/// <summary>Writes one JSON document (indented, UTF-8, ending in a line break) to standard output, for <c>--json</c>.</summary>
internal static class JsonOutput
{
    /// <summary>Writes what <paramref name="write"/> writes to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(TextWriter output, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
