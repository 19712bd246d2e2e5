using System.Text.Json;

namespace HiddenPoint.Crypto.Tests.Noise;

/// <summary>One message of a Noise vector: what the sender passes in and what must come out on the wire.</summary>
internal sealed record NoiseVectorMessage(byte[] Payload, byte[] Ciphertext);

/// <summary>One vector of a noise*.json file (the cacophony fields; all keys are raw X25519 bytes).</summary>
internal sealed record NoiseVector(
    int Index,
    string ProtocolName,
    byte[] InitiatorPrologue,
    byte[] InitiatorEphemeral,
    byte[]? InitiatorStatic,
    byte[]? InitiatorRemoteStatic,
    byte[] ResponderPrologue,
    byte[] ResponderEphemeral,
    byte[]? ResponderStatic,
    byte[]? ResponderRemoteStatic,
    byte[]? HandshakeHash,
    IReadOnlyList<NoiseVectorMessage> Messages)
{
    public override string ToString() => $"#{Index} {ProtocolName}";
}

/// <summary>
/// Strict parser for the shared Noise vector format (tests/vectors/noise.json): an object with a
/// <c>convention</c> and a <c>vectors</c> array. Anything it does not understand (a missing field, an unknown field,
/// a convention other than the one it implements) is an error, so that a new file can fail but never be half-run.
/// </summary>
internal static class NoiseVectorFile
{
    /// <summary>The message convention this runner implements; a file must state it.</summary>
    private static readonly string[] s_requiredConventionPhrases =
    [
        "messages[i] is sent by the initiator when i is even, by the responder when i is odd",
        "the first len(pattern) messages are handshake messages, the rest are transport messages (AD empty)",
    ];

    private static readonly HashSet<string> s_vectorFields =
    [
        "protocol_name",
        "init_prologue", "init_ephemeral", "init_static", "init_remote_static",
        "resp_prologue", "resp_ephemeral", "resp_static", "resp_remote_static",
        "handshake_hash", "messages",
    ];

    public static IReadOnlyList<NoiseVector> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A Noise vector file is a JSON object.");
        }

        var convention = RequiredString(root, "convention");
        foreach (var phrase in s_requiredConventionPhrases)
        {
            if (!convention.Contains(phrase, StringComparison.Ordinal))
            {
                throw new FormatException($"Unknown message convention (expected it to say \"{phrase}\"): {convention}");
            }
        }

        if (!root.TryGetProperty("vectors", out var vectors) || vectors.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("Missing \"vectors\" array.");
        }

        var result = new List<NoiseVector>();
        var index = 0;
        foreach (var vector in vectors.EnumerateArray())
        {
            result.Add(ParseVector(vector, index++));
        }

        if (result.Count == 0)
        {
            throw new FormatException("The file holds no vector.");
        }

        return result;
    }

    private static NoiseVector ParseVector(JsonElement vector, int index)
    {
        if (vector.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Vector #{index} is not an object.");
        }

        foreach (var property in vector.EnumerateObject())
        {
            if (!s_vectorFields.Contains(property.Name))
            {
                throw new FormatException($"Vector #{index} has a field this runner does not implement: {property.Name}.");
            }
        }

        var messages = new List<NoiseVectorMessage>();
        if (!vector.TryGetProperty("messages", out var messageArray) || messageArray.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"Vector #{index} has no \"messages\" array.");
        }

        foreach (var message in messageArray.EnumerateArray())
        {
            messages.Add(new NoiseVectorMessage(RequiredHex(message, "payload"), RequiredHex(message, "ciphertext")));
        }

        return new NoiseVector(
            index,
            RequiredString(vector, "protocol_name"),
            RequiredHex(vector, "init_prologue"),
            RequiredHex(vector, "init_ephemeral"),
            OptionalHex(vector, "init_static"),
            OptionalHex(vector, "init_remote_static"),
            RequiredHex(vector, "resp_prologue"),
            RequiredHex(vector, "resp_ephemeral"),
            OptionalHex(vector, "resp_static"),
            OptionalHex(vector, "resp_remote_static"),
            OptionalHex(vector, "handshake_hash"),
            messages);
    }

    private static string RequiredString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"Missing string field \"{name}\".");

    private static byte[] RequiredHex(JsonElement element, string name) =>
        OptionalHex(element, name) ?? throw new FormatException($"Missing hex field \"{name}\".");

    private static byte[]? OptionalHex(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? Convert.FromHexString(value.GetString()!)
            : throw new FormatException($"Field \"{name}\" is not a hex string.");
    }
}
