using System.Text.Json;
using System.Text.Json.Serialization;
using StreamJsonRpc;

namespace HiddenPoint.Client.Api.Contract;

/// <summary>
/// How the API's messages are framed and written, the same on both ends: JSON-RPC 2.0 through StreamJsonRpc's
/// System.Text.Json formatter, one UTF-8 JSON object per line (newline-delimited), camelCase member names, enums as
/// kebab-case strings, absent values left out.
/// </summary>
public static class ApiWire
{
    /// <summary>The socket's file name in the data directory.</summary>
    public const string SocketFileName = "client.sock";

    /// <summary>The serializer options of every value the API carries.</summary>
    public static JsonSerializerOptions SerializerOptions(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return options;
    }

    /// <summary>A newline-delimited JSON-RPC handler writing to <paramref name="output"/> and reading from <paramref name="input"/>.</summary>
    public static IJsonRpcMessageHandler Handler(Stream output, Stream input)
    {
        var formatter = new SystemTextJsonFormatter();
        formatter.JsonSerializerOptions = SerializerOptions(formatter.JsonSerializerOptions);
        return new NewLineDelimitedMessageHandler(output, input, formatter) { NewLine = NewLineDelimitedMessageHandler.NewLineStyle.Lf };
    }
}
