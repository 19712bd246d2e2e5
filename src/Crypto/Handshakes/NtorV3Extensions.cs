using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>One ntor v3 extension: <c>EXT_FIELD_TYPE</c> and its <c>EXT_FIELD</c> body (at most 255 bytes).</summary>
public readonly struct NtorV3Extension
{
    /// <summary>Longest extension body: EXT_FIELD_LEN is one byte.</summary>
    public const int MaxDataLength = byte.MaxValue;

    private readonly byte[]? _data;

    /// <summary>An extension of <paramref name="type"/> with body <paramref name="data"/> (copied).</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is over 255 bytes.</exception>
    public NtorV3Extension(byte type, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxDataLength)
        {
            throw new ArgumentException("An ntor v3 extension body is at most 255 bytes.", nameof(data));
        }

        Type = type;
        _data = data.ToArray();
    }

    /// <summary>EXT_FIELD_TYPE. Types a party does not recognize are carried, not rejected.</summary>
    public byte Type { get; }

    /// <summary>EXT_FIELD.</summary>
    public ReadOnlySpan<byte> Data => _data;
}

/// <summary>Why bytes are not a well-formed ntor v3 extension list.</summary>
public enum NtorV3ExtensionError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The bytes end before N_EXTENSIONS, an extension header, or an extension body they announce.</summary>
    Truncated,

    /// <summary>Bytes remain after the last announced extension.</summary>
    TrailingBytes,

    /// <summary>
    /// An extension type appears twice. Tor's default is to ignore later copies; HiddenPoint refuses the
    /// message instead, so that two parties can never read different values from one message.
    /// </summary>
    DuplicateType,
}

/// <summary>
/// The message format that ntor v3 carries in CREATE2 and CREATED2 (CM and SM), shared with hs_ntor's
/// INTRODUCE extensions: <c>N_EXTENSIONS (1) · N × [EXT_FIELD_TYPE (1) · EXT_FIELD_LEN (1) · EXT_FIELD]</c>.
/// Immutable; at most 255 extensions, each type at most once.
/// </summary>
public sealed class NtorV3ExtensionList : IReadOnlyList<NtorV3Extension>
{
    /// <summary>Most extensions in one list: N_EXTENSIONS is one byte.</summary>
    public const int MaxCount = byte.MaxValue;

    private readonly NtorV3Extension[] _extensions;

    /// <summary>A list of <paramref name="extensions"/>, in the order given (send them in ascending type order).</summary>
    /// <exception cref="ArgumentException">More than 255 extensions, or a type given twice.</exception>
    public NtorV3ExtensionList(params ReadOnlySpan<NtorV3Extension> extensions)
    {
        if (extensions.Length > MaxCount)
        {
            throw new ArgumentException("An ntor v3 extension list holds at most 255 extensions.", nameof(extensions));
        }

        if (HasDuplicateType(extensions))
        {
            throw new ArgumentException("An ntor v3 extension type may appear once.", nameof(extensions));
        }

        _extensions = extensions.ToArray();
        var length = 1;
        foreach (var extension in _extensions)
        {
            length += 2 + extension.Data.Length;
        }

        EncodedLength = length;
    }

    /// <summary>The list with no extensions, encoded as the single byte 0.</summary>
    public static NtorV3ExtensionList Empty { get; } = new();

    /// <summary>Number of extensions.</summary>
    public int Count => _extensions.Length;

    /// <summary>Bytes that <see cref="Encode"/> writes.</summary>
    public int EncodedLength { get; }

    /// <inheritdoc/>
    public NtorV3Extension this[int index] => _extensions[index];

    /// <summary>Parses an encoded list, requiring that it fills <paramref name="encoded"/> exactly.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> encoded,
        [NotNullWhen(true)] out NtorV3ExtensionList? list,
        out NtorV3ExtensionError error)
    {
        list = null;
        if (encoded.IsEmpty)
        {
            error = NtorV3ExtensionError.Truncated;
            return false;
        }

        int count = encoded[0];
        var rest = encoded[1..];
        var extensions = count == 0 ? [] : new NtorV3Extension[count];
        Span<bool> seen = stackalloc bool[256];
        seen.Clear();
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 2)
            {
                error = NtorV3ExtensionError.Truncated;
                return false;
            }

            var type = rest[0];
            int length = rest[1];
            if (rest.Length - 2 < length)
            {
                error = NtorV3ExtensionError.Truncated;
                return false;
            }

            if (seen[type])
            {
                error = NtorV3ExtensionError.DuplicateType;
                return false;
            }

            seen[type] = true;
            extensions[i] = new NtorV3Extension(type, rest.Slice(2, length));
            rest = rest[(2 + length)..];
        }

        if (!rest.IsEmpty)
        {
            error = NtorV3ExtensionError.TrailingBytes;
            return false;
        }

        list = new NtorV3ExtensionList(extensions);
        error = NtorV3ExtensionError.None;
        return true;
    }

    /// <summary>Writes the encoding (<see cref="EncodedLength"/> bytes) and returns its length.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public int Encode(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException($"The extension list needs {EncodedLength} bytes.", nameof(destination));
        }

        destination[0] = (byte)_extensions.Length;
        var offset = 1;
        foreach (var extension in _extensions)
        {
            destination[offset] = extension.Type;
            destination[offset + 1] = (byte)extension.Data.Length;
            extension.Data.CopyTo(destination[(offset + 2)..]);
            offset += 2 + extension.Data.Length;
        }

        return offset;
    }

    /// <summary>The encoding as a new array.</summary>
    public byte[] ToArray()
    {
        var result = new byte[EncodedLength];
        Encode(result);
        return result;
    }

    /// <summary>Finds the extension of <paramref name="type"/>, if present.</summary>
    public bool TryGet(byte type, out NtorV3Extension extension)
    {
        foreach (var candidate in _extensions)
        {
            if (candidate.Type == type)
            {
                extension = candidate;
                return true;
            }
        }

        extension = default;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<NtorV3Extension> GetEnumerator() => ((IEnumerable<NtorV3Extension>)_extensions).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool HasDuplicateType(ReadOnlySpan<NtorV3Extension> extensions)
    {
        Span<bool> seen = stackalloc bool[256];
        seen.Clear();
        foreach (var extension in extensions)
        {
            if (seen[extension.Type])
            {
                return true;
            }

            seen[extension.Type] = true;
        }

        return false;
    }
}
