using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// One entry of an extension list in the hidden-point messages: type (1) · length (1) · data. The messages keep
/// extensions as opaque values; the state that handles a message interprets the types it knows.
/// </summary>
public sealed class Extension
{
    private readonly byte[] _data;

    /// <summary>Builds an extension; more than 255 bytes throws.</summary>
    public Extension(byte type, ReadOnlySpan<byte> data)
    {
        if (data.Length > byte.MaxValue)
        {
            throw new ArgumentException("An extension holds at most 255 bytes.", nameof(data));
        }

        Type = type;
        _data = data.ToArray();
    }

    /// <summary>The extension type.</summary>
    public byte Type { get; }

    /// <summary>The extension's bytes.</summary>
    public ReadOnlySpan<byte> Data => _data;
}

/// <summary>Reads and writes N_EXTENSIONS (1) · N × extension. A type may appear at most once.</summary>
public static class ExtensionList
{
    /// <summary>Bytes that <see cref="Encode"/> writes for <paramref name="extensions"/>.</summary>
    public static int EncodedLength(IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        var length = 1;
        for (var i = 0; i < extensions.Count; i++)
        {
            length += 2 + extensions[i].Data.Length;
        }

        return length;
    }

    /// <summary>Checks a list built by our own code: at most 255 entries, no repeated type.</summary>
    public static Extension[] Validate(IReadOnlyList<Extension>? extensions, string parameterName)
    {
        if (extensions is null)
        {
            return [];
        }

        if (extensions.Count > byte.MaxValue)
        {
            throw new ArgumentException("At most 255 extensions.", parameterName);
        }

        Span<bool> seen = stackalloc bool[256];
        var copy = new Extension[extensions.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var extension = extensions[i] ?? throw new ArgumentException("Null extension.", parameterName);
            if (seen[extension.Type])
            {
                throw new ArgumentException("An extension type appears twice.", parameterName);
            }

            seen[extension.Type] = true;
            copy[i] = extension;
        }

        return copy;
    }

    /// <summary>Reads an extension list.</summary>
    public static bool TryDecode(ref WireReader reader, out Extension[] extensions, out DecodeError error)
    {
        extensions = [];
        if (!reader.TryReadU8(out var count))
        {
            error = reader.Truncated();
            return false;
        }

        if (count == 0)
        {
            error = default;
            return true;
        }

        Span<bool> seen = stackalloc bool[256];
        var list = new Extension[count];
        for (var i = 0; i < count; i++)
        {
            var at = reader.Offset;
            if (!reader.TryReadU8(out var type) || !reader.TryReadU8(out var length))
            {
                error = reader.Truncated();
                return false;
            }

            if (!reader.TryReadBytes(length, out var data))
            {
                error = new DecodeError(DecodeErrorKind.BadLength, at + 1, "extension length exceeds the message");
                return false;
            }

            if (seen[type])
            {
                error = new DecodeError(DecodeErrorKind.DuplicateExtension, at, "extension type given twice");
                return false;
            }

            seen[type] = true;
            list[i] = new Extension(type, data);
        }

        extensions = list;
        error = default;
        return true;
    }

    /// <summary>Writes an extension list.</summary>
    public static void Encode(ref WireWriter writer, IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        writer.WriteU8((byte)extensions.Count);
        for (var i = 0; i < extensions.Count; i++)
        {
            writer.WriteU8(extensions[i].Type);
            writer.WriteU8((byte)extensions[i].Data.Length);
            writer.WriteBytes(extensions[i].Data);
        }
    }
}
